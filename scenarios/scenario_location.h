// File: scenarios/scenario_location.h
//
// Where a field of a parsed scenario file is, for errors that name it:
// "file:line:col: what was expected". The loader and the step-plan check
// share it. Nothing here outlives the parse.
#ifndef REPLSIM_SCENARIOS_SCENARIO_LOCATION_H_
#define REPLSIM_SCENARIOS_SCENARIO_LOCATION_H_

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "scenarios/scenario.pb.h"

namespace replsim::scenarios {

using ParseTree = google::protobuf::TextFormat::ParseInfoTree;

// Locates fields for semantic errors.
class ScenarioLocator {
 public:
  ScenarioLocator(std::string file, const ParseTree* tree) : file_(std::move(file)), tree_(tree) {}

  // "file:line:col: msg" at `field` (index for repeated fields) of the
  // message whose location tree is `tree`; "file: msg" if it has none.
  absl::Status Error(const ParseTree* tree, const google::protobuf::Message& m, const char* field,
                     int index, const std::string& msg) const {
    int line = -1, col = -1;
    const google::protobuf::FieldDescriptor* fd = m.GetDescriptor()->FindFieldByName(field);
    if (tree != nullptr && fd != nullptr) {
      int i = fd->is_repeated() ? index : -1;
      auto loc = tree->GetLocation(fd, i);
      // A list, `invariants: [A, B]`, has one location, its first element's:
      // a later element is located at the list it is in.
      while (loc.line < 0 && fd->is_repeated() && i > 0) loc = tree->GetLocation(fd, --i);
      line = loc.line;
      col = loc.column;
    }
    // A field that is not in the file (a missing name) has no location.
    if (line < 0) return absl::InvalidArgumentError(absl::StrCat(file_, ": ", msg));
    return absl::InvalidArgumentError(absl::StrCat(file_, ":", line + 1, ":", col + 1, ": ", msg));
  }
  const ParseTree* Child(const ParseTree* tree, const google::protobuf::Message& m,
                         const char* field, int index) const {
    if (tree == nullptr) return nullptr;
    const google::protobuf::FieldDescriptor* fd = m.GetDescriptor()->FindFieldByName(field);
    return fd == nullptr ? nullptr : tree->GetTreeForNested(fd, fd->is_repeated() ? index : -1);
  }
  const ParseTree* root() const { return tree_; }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  const ParseTree* tree_;
};

// "field: min A is greater than max B" at `field` of `parent`.
inline absl::Status CheckRange(const ScenarioLocator& c, const ParseTree* tree,
                               const google::protobuf::Message& parent, const char* field,
                               const Range& r) {
  if (r.min() > r.max()) {
    return c.Error(tree, parent, field, -1,
                   absl::StrCat(field, ": min ", r.min(), " is greater than max ", r.max()));
  }
  return absl::OkStatus();
}

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_SCENARIO_LOCATION_H_
