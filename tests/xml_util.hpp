// A small XML well-formedness check for the SVG files mlp writes (tests/test_svg.cpp,
// tests/test_cli_compare.cpp): one root element, every tag closed in order, attribute values
// quoted, no raw '<' in text or values, every '&' an entity. No DTDs or CDATA: mlp writes none.
#pragma once

#include <cctype>
#include <string>
#include <vector>

namespace xml {

// "" when text is well-formed, else what is wrong and where (a byte offset).
inline std::string problem(const std::string& text) {
  std::vector<std::string> open;
  int roots = 0;
  std::size_t i = 0;
  auto at = [&](const std::string& what) { return what + " at byte " + std::to_string(i); };
  auto entity_ok = [&](std::size_t amp) {
    const std::size_t semi = text.find(';', amp);
    if (semi == std::string::npos || semi - amp > 8) return false;
    const std::string name = text.substr(amp + 1, semi - amp - 1);
    return name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos" ||
           (name.size() > 1 && name[0] == '#');
  };
  auto name_at = [&](std::size_t p) {
    std::size_t e = p;
    while (e < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[e])) || text[e] == '-' || text[e] == ':' || text[e] == '_'))
      ++e;
    return text.substr(p, e - p);
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '&') {
      if (!entity_ok(i)) return at("a bare '&'");
      ++i;
      continue;
    }
    if (c != '<') {
      if (open.empty() && !std::isspace(static_cast<unsigned char>(c))) return at("text outside the root");
      ++i;
      continue;
    }
    if (text.compare(i, 2, "<?") == 0) {
      const std::size_t end = text.find("?>", i);
      if (end == std::string::npos) return at("an unclosed <?");
      i = end + 2;
      continue;
    }
    if (text.compare(i, 4, "<!--") == 0) {
      const std::size_t end = text.find("-->", i);
      if (end == std::string::npos) return at("an unclosed comment");
      i = end + 3;
      continue;
    }
    if (text.compare(i, 2, "</") == 0) {
      const std::string name = name_at(i + 2);
      if (open.empty() || open.back() != name)
        return at("</" + name + "> closing " + (open.empty() ? "nothing" : "<" + open.back() + ">"));
      open.pop_back();
      i += 2 + name.size();
      if (i >= text.size() || text[i] != '>') return at("a malformed closing tag");
      ++i;
      continue;
    }
    const std::string name = name_at(i + 1);
    if (name.empty()) return at("a '<' that starts no tag");
    i += 1 + name.size();
    while (true) {  // attributes
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      if (i >= text.size()) return at("an unclosed tag <" + name);
      if (text.compare(i, 2, "/>") == 0) {
        i += 2;
        if (open.empty()) ++roots;
        break;
      }
      if (text[i] == '>') {
        ++i;
        if (open.empty()) ++roots;
        open.push_back(name);
        break;
      }
      const std::string attribute = name_at(i);
      if (attribute.empty()) return at("a malformed attribute in <" + name);
      i += attribute.size();
      if (i + 1 >= text.size() || text[i] != '=' || (text[i + 1] != '"' && text[i + 1] != '\''))
        return at("attribute " + attribute + " of <" + name + "> without a quoted value");
      const char quote = text[i + 1];
      const std::size_t end = text.find(quote, i + 2);
      if (end == std::string::npos) return at("an unclosed attribute value");
      for (std::size_t k = i + 2; k < end; ++k) {
        if (text[k] == '<') return at("a '<' inside attribute " + attribute);
        if (text[k] == '&' && !entity_ok(k)) return at("a bare '&' inside attribute " + attribute);
      }
      i = end + 1;
    }
  }
  if (!open.empty()) return "<" + open.back() + "> is never closed";
  if (roots != 1) return std::to_string(roots) + " root elements";
  return "";
}

// How many times `part` occurs in text.
inline std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t p = text.find(part); p != std::string::npos; p = text.find(part, p + part.size())) ++n;
  return n;
}

// The value of `attribute` in each <element ...> start tag, in document order ("" where the tag
// has no such attribute).
inline std::vector<std::string> attributes(const std::string& text, const std::string& element,
                                           const std::string& attribute) {
  std::vector<std::string> values;
  const std::string open = "<" + element;
  for (std::size_t p = text.find(open); p != std::string::npos; p = text.find(open, p + 1)) {
    const char next = p + open.size() < text.size() ? text[p + open.size()] : '>';
    if (next != ' ' && next != '>' && next != '/' && next != '\n') continue;  // <rectangle> is not <rect>
    const std::size_t end = text.find('>', p);
    const std::string tag = text.substr(p, end - p);
    const std::string key = " " + attribute + "=\"";
    const std::size_t a = tag.find(key);
    values.push_back(
        a == std::string::npos ? "" : tag.substr(a + key.size(), tag.find('"', a + key.size()) - a - key.size()));
  }
  return values;
}

}  // namespace xml
