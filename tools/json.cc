#include "tools/json.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace replsim::tools {

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

namespace {

class Reader {
 public:
  explicit Reader(absl::string_view t) : t_(t) {}

  void SkipSpace() {
    while (i_ < t_.size() && absl::ascii_isspace(static_cast<unsigned char>(t_[i_]))) ++i_;
  }
  bool Eat(char c) {
    SkipSpace();
    if (i_ < t_.size() && t_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool AtEnd() {
    SkipSpace();
    return i_ == t_.size();
  }
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("not a JSON object: ", what, " at column ", i_ + 1));
  }

  absl::StatusOr<std::string> String() {
    if (!Eat('"')) return Error("expected a string");
    std::string out;
    while (i_ < t_.size() && t_[i_] != '"') {
      char c = t_[i_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= t_.size()) break;
      switch (char e = t_[i_++]) {
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (i_ + 4 > t_.size()) return Error("a short \\u escape");
          int v = 0;
          for (int k = 0; k < 4; ++k) {
            const char h = t_[i_++];
            v = v * 16 + (absl::ascii_isdigit(h) ? h - '0' : (absl::ascii_tolower(h) - 'a' + 10));
          }
          if (v < 0x80) {
            out += static_cast<char>(v);
          } else if (v < 0x800) {
            out += static_cast<char>(0xC0 | (v >> 6));
            out += static_cast<char>(0x80 | (v & 0x3F));
          } else {
            out += static_cast<char>(0xE0 | (v >> 12));
            out += static_cast<char>(0x80 | ((v >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (v & 0x3F));
          }
          break;
        }
        default: out += e;
      }
    }
    if (i_ >= t_.size()) return Error("an unterminated string");
    ++i_;
    return out;
  }

  absl::StatusOr<std::string> Scalar() {
    SkipSpace();
    if (i_ < t_.size() && t_[i_] == '"') return String();
    const size_t start = i_;
    while (i_ < t_.size() && (absl::ascii_isalnum(static_cast<unsigned char>(t_[i_])) ||
                              t_[i_] == '-' || t_[i_] == '+' || t_[i_] == '.')) {
      ++i_;
    }
    if (i_ == start) return Error("expected a value (nested values are not read here)");
    return std::string(t_.substr(start, i_ - start));
  }

  // A scalar, or a nested object or array as its text (brackets balanced,
  // strings skipped whole).
  absl::StatusOr<std::string> Value(bool keep_nested) {
    SkipSpace();
    if (!keep_nested || i_ >= t_.size() || (t_[i_] != '[' && t_[i_] != '{')) return Scalar();
    const size_t start = i_;
    int depth = 0;
    bool in_string = false;
    for (; i_ < t_.size(); ++i_) {
      const char c = t_[i_];
      if (in_string) {
        if (c == '\\') {
          ++i_;
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '[' || c == '{') {
        ++depth;
      } else if ((c == ']' || c == '}') && --depth == 0) {
        ++i_;
        return std::string(t_.substr(start, i_ - start));
      }
    }
    return Error("an unterminated array or object");
  }

 private:
  absl::string_view t_;
  size_t i_ = 0;
};

}  // namespace

namespace {

absl::StatusOr<JsonObject> ParseObject(absl::string_view text, bool keep_nested) {
  Reader r(text);
  JsonObject out;
  if (!r.Eat('{')) return r.Error("expected '{'");
  if (!r.Eat('}')) {
    do {
      absl::StatusOr<std::string> key = r.String();
      if (!key.ok()) return key.status();
      if (!r.Eat(':')) return r.Error("expected ':'");
      absl::StatusOr<std::string> value = r.Value(keep_nested);
      if (!value.ok()) return value.status();
      out[*key] = *value;
    } while (r.Eat(','));
    if (!r.Eat('}')) return r.Error("expected ',' or '}'");
  }
  if (!r.AtEnd()) return r.Error("text after the object");
  return out;
}

}  // namespace

absl::StatusOr<JsonObject> ParseFlatJsonObject(absl::string_view text) {
  return ParseObject(text, /*keep_nested=*/false);
}

absl::StatusOr<JsonObject> ParseJsonObjectKeepingNested(absl::string_view text) {
  return ParseObject(text, /*keep_nested=*/true);
}

absl::StatusOr<std::vector<std::string>> SplitJsonArray(absl::string_view text) {
  Reader r(text);
  std::vector<std::string> out;
  if (!r.Eat('[')) return r.Error("expected '['");
  if (!r.Eat(']')) {
    do {
      absl::StatusOr<std::string> value = r.Value(/*keep_nested=*/true);
      if (!value.ok()) return value.status();
      out.push_back(*std::move(value));
    } while (r.Eat(','));
    if (!r.Eat(']')) return r.Error("expected ',' or ']'");
  }
  if (!r.AtEnd()) return r.Error("text after the array");
  return out;
}

}  // namespace replsim::tools
