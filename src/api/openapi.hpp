#pragma once
// The OpenAPI 3.1 document (src/api/openapi.json, embedded at build time) and the /docs page
// that renders it without any external assets.
#include <string_view>

namespace irisx::api {

std::string_view openapi_document();
std::string_view docs_page();

}  // namespace irisx::api
