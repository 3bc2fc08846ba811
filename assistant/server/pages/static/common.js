// Helpers shared by the three pages: credentials in sessionStorage, JSON calls with readable errors.
"use strict";

const Pages = {
  // Credentials live in sessionStorage only: they are gone when the tab is closed.
  load(names) {
    const values = {};
    for (const name of names) values[name] = sessionStorage.getItem("assistant." + name) || "";
    return values;
  },
  save(values) {
    for (const [name, value] of Object.entries(values)) sessionStorage.setItem("assistant." + name, value);
  },
  forget(names) {
    for (const name of names) sessionStorage.removeItem("assistant." + name);
  },

  // Calls the API; a non-2xx answer throws an Error carrying the server's own message.
  async call(method, path, headers, body) {
    const options = { method, headers: { ...headers } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(path, options);
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (_) { data = text; }
    if (!response.ok) {
      const detail = data && (data.message || data.detail) ? (data.message || JSON.stringify(data.detail)) : text;
      throw new Error(`${response.status}: ${detail}`);
    }
    return data;
  },

  showError(element, error) {
    element.textContent = error ? String(error.message || error) : "";
  },

  // Builds an element: el("div", {class: "x", onclick: f}, child, "text", ...).
  el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  },
};
