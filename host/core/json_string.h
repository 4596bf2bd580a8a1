// JSON string literals, shared by the REST responses and the JSON/logfmt log lines.
#pragma once

#include <string>
#include <string_view>

namespace scorehost {

// Appends `text` as a JSON string literal (quotes included), escaping what RFC 8259 requires.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace scorehost
