// File: tools/json.h
//
// The little JSON replsim's tools write and read back: strings escaped as
// RFC 8259 asks, and a reader for one flat object per line (the failures
// file's records: string, number, true/false/null values; no nesting), so a
// resumed sweep and `merge` read exactly what a sweep wrote; `merge` also
// reads a --report document's top level and its array of records.
#ifndef REPLSIM_TOOLS_JSON_H_
#define REPLSIM_TOOLS_JSON_H_

#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace replsim::tools {

// "..." with ", \, control characters escaped.
std::string JsonString(absl::string_view s);

// One flat object: key -> value, strings unescaped, numbers and literals as
// written. InvalidArgument says where the text stopped being JSON.
using JsonObject = absl::btree_map<std::string, std::string>;
absl::StatusOr<JsonObject> ParseFlatJsonObject(absl::string_view text);

// The same for an object whose values may nest (a --report document): a
// nested object or array is kept as its JSON text, for SplitJsonArray or
// ParseFlatJsonObject to read in turn.
absl::StatusOr<JsonObject> ParseJsonObjectKeepingNested(absl::string_view text);
// The elements of a JSON array, each as its JSON text.
absl::StatusOr<std::vector<std::string>> SplitJsonArray(absl::string_view text);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_JSON_H_
