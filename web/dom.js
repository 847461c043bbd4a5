// Small DOM helpers. Everything from the network or the user goes in as text nodes or attribute values,
// never as markup: there is no innerHTML anywhere in the page.

/**
 * h('div', { class: 'x', data: { role: 'y' }, on: { click } }, 'text', child, [more, children])
 * Attribute values are strings (false / null / undefined skip the attribute, true sets it empty).
 */
export function h(tag, attrs, ...children) {
  const el = tag.startsWith('svg:')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === false || v === null || v === undefined) continue;
      if (k === 'data') {
        for (const [dk, dv] of Object.entries(v)) if (dv !== undefined && dv !== null) el.dataset[dk] = String(dv);
      } else if (k === 'on') {
        for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
      } else if (k === 'text') {
        el.textContent = String(v);
      } else {
        el.setAttribute(k, v === true ? '' : String(v));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function $(sel, root = document) {
  return root.querySelector(sel);
}

export function $$(sel, root = document) {
  return Array.from(root.querySelectorAll(sel));
}

/** A small inline SVG icon for a status (decorative; the status is always also written as text). */
export function statusIcon(status) {
  const svg = h('svg:svg', { viewBox: '0 0 20 20', width: '20', height: '20', 'aria-hidden': 'true', focusable: 'false', class: 'icon' });
  const path = (d, extra = {}) => svg.appendChild(h('svg:path', { d, fill: 'none', stroke: 'currentColor', 'stroke-width': '2.2', 'stroke-linecap': 'round', 'stroke-linejoin': 'round', ...extra }));
  svg.appendChild(h('svg:circle', { cx: '10', cy: '10', r: '9', fill: 'currentColor', class: 'icon-bg' }));
  switch (status) {
    case 'pass': path('M5.8 10.4l2.8 2.8 5.6-6'); break;
    case 'warn': path('M10 5.5v5.2'); path('M10 14.2v.1'); break;
    case 'fail': path('M6.8 6.8l6.4 6.4M13.2 6.8l-6.4 6.4'); break;
    case 'error': path('M10 5.5v5.2'); path('M10 14.2v.1'); break;
    case 'skip': path('M6 10h8'); break;
    case 'running': svg.setAttribute('class', 'icon spin'); path('M10 3a7 7 0 0 1 7 7'); break;
    default: path('M10 10h.01'); break;
  }
  return svg;
}
