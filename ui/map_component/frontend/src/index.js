// The Explore map of clusterlab: a Streamlit v2 component drawing with ./scatter.js (WebGL2).
//
// Python sends one binary payload (see ui/map_payload.py for the layout): an 8-byte header,
// a JSON block (palette, legend, cluster names, selection, settings) and typed-array sections
// (x, y as float32; colour codes as uint8; cluster codes as uint8/16; confidence as uint8; ids
// and hover texts as newline-joined UTF-8; an optional PNG thumbnail atlas). Positions are sent
// once per session and map, colours once per colouring: later payloads leave out what this
// module holds (a selection-only rerun carries the JSON block and a bitmask; a rerun that
// changed nothing of the map, the JSON block). Coloured by
// cluster or confidence (meta.colour_source), the colours are those codes: no colour bytes. The selection goes back
// as row indices (few) or a base64 bitmask, and is drawn here before Python answers.
import { createScatter } from './scatter.js';

const MAGIC = 'CLM1';
const FEW_ROWS = 20000; // above this a selection is sent as a bitmask
const positionsByKey = new Map(); // pos_key -> {x, y, grid}
const maps = new Map(); // widget key -> map state (survives Streamlit re-mounting the element)
window.__clusterlabMaps = maps; // for the browser tests and benchmarks

function decodeSections(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== MAGIC) throw new Error('clusterlab map: unknown payload');
  const metaLength = dv.getUint32(4, true);
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + metaLength)));
  const base = 8 + metaLength + ((8 - ((8 + metaLength) % 8)) % 8);
  const types = { f4: Float32Array, u1: Uint8Array, u2: Uint16Array, u4: Uint32Array };
  const sections = {};
  for (const [name, [offset, length, dtype]] of Object.entries(meta.sections)) {
    const start = base + offset;
    const copy = bytes.slice(start, start + length); // aligned copy
    sections[name] = dtype === 'raw' ? copy : new types[dtype](copy.buffer);
  }
  return { meta, sections };
}

function splitLines(bytes) {
  return bytes ? new TextDecoder().decode(bytes).split('\n') : null;
}

function toBase64(bits) {
  let out = '';
  for (let i = 0; i < bits.length; i += 0x8000) {
    out += String.fromCharCode.apply(null, bits.subarray(i, i + 0x8000));
  }
  return btoa(out);
}

function element(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

const CSS = `
.clm-root{position:relative;font:13px/1.35 var(--st-font,"Source Sans Pro",sans-serif);color:var(--st-text-color,#262730)}
.clm-bar{display:flex;gap:4px;align-items:center;flex-wrap:wrap;margin-bottom:4px}
.clm-bar button{border:1px solid var(--st-border-color,#d0d3da);background:var(--st-secondary-background-color,#fff);color:inherit;border-radius:6px;padding:2px 8px;cursor:pointer;font:inherit}
.clm-bar button.on{background:#4C78A8;color:#fff;border-color:#4C78A8}
.clm-bar label{display:flex;gap:4px;align-items:center;margin-left:8px}
.clm-bar input[type=range]{width:80px}
.clm-stage{position:relative;border:1px solid var(--st-border-color,#e6e8ec);border-radius:6px;overflow:hidden;background:var(--st-background-color,#fff)}
.clm-stage canvas{display:block}
.clm-overlay{position:absolute;inset:0;cursor:crosshair}
.clm-root[data-mode=pan] .clm-overlay{cursor:grab}
.clm-labels{position:absolute;inset:0;pointer-events:none}
.clm-label{position:absolute;transform:translate(-50%,-50%);font-weight:600;font-size:12px;color:var(--st-text-color,#262730);
  text-shadow:0 0 3px var(--st-background-color,#fff),0 0 3px var(--st-background-color,#fff),0 0 3px var(--st-background-color,#fff);white-space:nowrap}
.clm-tip{position:absolute;pointer-events:none;background:var(--st-background-color,#fff);border:1px solid var(--st-border-color,#d0d3da);
  border-radius:6px;padding:4px 6px;max-width:280px;box-shadow:0 1px 4px rgba(0,0,0,.15);display:none;z-index:3}
.clm-tip .thumb{width:64px;height:64px;image-rendering:pixelated;background-repeat:no-repeat;margin-top:4px}
.clm-legend{display:flex;flex-wrap:wrap;gap:2px 10px;margin-top:4px}
.clm-legend span.sw{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:4px}
.clm-ramp{height:10px;width:200px;border-radius:3px}
.clm-status{margin-left:auto;opacity:.7}
`;

function build() {
  const root = element('div', 'clm-root');
  element('style', null, root, CSS);
  const bar = element('div', 'clm-bar', root);
  const modes = {};
  for (const [mode, text, title] of [
    ['lasso', 'Lasso', 'Drag to draw around points'],
    ['box', 'Box', 'Drag a rectangle'],
    ['pan', 'Pan', 'Drag to move, wheel to zoom'],
  ]) {
    modes[mode] = element('button', null, bar, text);
    modes[mode].title = title;
    modes[mode].dataset.mode = mode;
  }
  const add = element('button', null, bar, 'Add to selection');
  add.title = 'Each new lasso or box adds to the selection (or hold Shift)';
  const reset = element('button', null, bar, 'Reset view');
  const png = element('button', null, bar, 'PNG');
  png.title = 'Download the current view as a PNG image';
  const sizeLabel = element('label', null, bar, 'size');
  const size = element('input', null, sizeLabel);
  Object.assign(size, { type: 'range', min: '1', max: '12', step: '0.5' });
  const opacityLabel = element('label', null, bar, 'opacity');
  const opacity = element('input', null, opacityLabel);
  Object.assign(opacity, { type: 'range', min: '0.05', max: '1', step: '0.05' });
  const status = element('span', 'clm-status', bar);
  const stage = element('div', 'clm-stage', root);
  const canvas = element('canvas', null, stage);
  const labels = element('div', 'clm-labels', stage);
  const overlay = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  overlay.setAttribute('class', 'clm-overlay');
  stage.appendChild(overlay);
  const tip = element('div', 'clm-tip', stage);
  const legend = element('div', 'clm-legend', root);
  return { root, bar, modes, add, reset, png, size, opacity, status, stage, canvas, overlay, labels,
    tip, legend };
}

function createMap() {
  const ui = build();
  const state = {
    ui, plot: null, meta: null, sections: {}, positionsKey: null, codesKey: null, colourKey: null,
    colours: null,
    selection: new Uint32Array(0), token: 0, appliedPythonToken: null, additive: false,
    ids: null, hovers: null, atlasUrl: null, mode: 'lasso', callbacks: null, hovering: false,
    draws: 0, positionUploads: 0, colourUploads: 0, timeline: [], hidden: null,
    highlightTimer: null,
  };
  const setMode = (mode) => {
    state.mode = mode;
    ui.root.dataset.mode = mode;
    for (const [name, button] of Object.entries(ui.modes)) button.classList.toggle('on', name === mode);
    if (state.plot) state.plot.set({ mode });
  };
  state.setMode = setMode;
  for (const button of Object.values(ui.modes)) button.onclick = () => setMode(button.dataset.mode);
  ui.add.onclick = () => {
    state.additive = !state.additive;
    ui.add.classList.toggle('on', state.additive);
  };
  ui.reset.onclick = () => state.plot && state.plot.reset();
  ui.png.onclick = () => state.plot && downloadPng(state);
  // once the user moves a slider, new data no longer resets it to the size's default
  ui.size.oninput = () => {
    ui.size.dataset.touched = '1';
    if (state.plot) state.plot.set({ size: Number(ui.size.value) });
  };
  ui.opacity.oninput = () => {
    ui.opacity.dataset.touched = '1';
    if (state.plot) state.plot.set({ opacity: Number(ui.opacity.value) });
  };
  ui.stage.addEventListener('mouseenter', () => { state.hovering = true; });
  ui.stage.addEventListener('mouseleave', () => { state.hovering = false; });
  window.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && state.hovering && state.selection.length) {
      applySelection(state, new Uint32Array(0));
      reportSelection(state);
    }
  });
  return state;
}

// The app's theme (light or dark, following the browser unless the user picks one):
// Streamlit sets --st-* custom properties around the component; the canvas needs them as
// numbers, so they are read from the computed style of elements that use them.
function themeColours(state) {
  const rgba = (css) => {
    const m = css.match(/[\d.]+/g) || ['255', '255', '255'];
    return [+m[0] / 255, +m[1] / 255, +m[2] / 255, 1];
  };
  const stage = getComputedStyle(state.ui.stage);
  const root = getComputedStyle(state.ui.root);
  return { background: rgba(stage.backgroundColor), text: rgba(root.color),
    backgroundCss: stage.backgroundColor, textCss: root.color };
}

function applyTheme(state) {
  const colours = themeColours(state);
  const key = `${colours.backgroundCss}|${colours.textCss}`;
  if (state.themeKey === key) return;
  state.themeKey = key;
  state.theme = colours;
  state.ui.root.dataset.theme = colours.background[0] < 0.5 ? 'dark' : 'light';
  state.plot.set({ background: colours.background });
}

function startPlot(state, height) {
  const { ui } = state;
  ui.stage.style.height = `${height}px`;
  const plot = createScatter(ui.canvas, ui.overlay, {
    onLasso: (rows, shift) => onLasso(state, rows, shift),
    onClick: (row) => state.callbacks.setTriggerValue('clicked', { row, at: Date.now() }),
    onHover: (row, at) => (row >= 0 ? showTip(state, row, at) : hideTip(state)),
    onView: () => placeLabels(state),
  });
  state.plot = plot;
  plot.resize(ui.stage.clientWidth || 600, height);
  new ResizeObserver(() => {
    const w = ui.stage.clientWidth;
    if (w && plot.get('width') !== w) plot.resize(w, height);
  }).observe(ui.stage);
  state.setMode(state.mode);
}

function mark(state, what) { // a short timeline for the benchmarks (last 40 events)
  state.timeline.push([what, Math.round(performance.now())]);
  if (state.timeline.length > 40) state.timeline.shift();
}

function union(a, b) { // two sorted row lists -> sorted, without repeats
  const out = new Uint32Array(a.length + b.length);
  let i = 0; let j = 0; let k = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
    if (k === 0 || out[k - 1] !== v) out[k++] = v;
  }
  return out.slice(0, k);
}

const HIGHLIGHT_WAIT_MS = 1500;

function onLasso(state, rows, shift) {
  mark(state, `lasso ${rows.length}`);
  const merged = (state.additive || shift) && state.selection.length
    ? union(state.selection, rows) : rows;
  state.selection = merged;
  state.plot.setFlags(merged, state.hidden);
  ui_status(state, merged.length);
  reportSelection(state);
  // Python hears of it first; the highlight is drawn when its answer arrives (or after
  // HIGHLIGHT_WAIT_MS): a million-point frame in software WebGL takes most of a second of
  // CPU, which would otherwise slow the rerun that shows the selection. The lasso's outline
  // stays on the map until then.
  clearTimeout(state.highlightTimer);
  state.highlightTimer = setTimeout(() => { state.highlightTimer = null; state.plot.draw(); },
    HIGHLIGHT_WAIT_MS);
}

// draw a selection (sorted rows) and the cluster filter into the per-point flags
function applySelection(state, rows) {
  state.selection = rows;
  state.plot.setFlags(rows, state.hidden);
  state.plot.draw();
  ui_status(state, rows.length);
}

function reportSelection(state) {
  const rows = state.selection;
  state.token += 1;
  const n = state.meta.n;
  const value = { token: `${Date.now()}-${state.token}`, n: rows.length, run: state.meta.run };
  if (rows.length <= FEW_ROWS) {
    value.rows = Array.from(rows);
  } else {
    const bits = new Uint8Array(Math.ceil(n / 8));
    for (const r of rows) bits[r >> 3] |= 128 >> (r & 7);
    value.bits = toBase64(bits);
  }
  mark(state, 'report');
  state.callbacks.setStateValue('selection', value);
}

function rowsOfBits(bits) {
  const rows = [];
  for (let b = 0; b < bits.length; b++) {
    if (!bits[b]) continue;
    for (let k = 0; k < 8; k++) if (bits[b] & (128 >> k)) rows.push(b * 8 + k);
  }
  return Uint32Array.from(rows);
}

function sameRows(a, b) { // both sorted
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function ui_status(state, selected) {
  const n = state.meta ? state.meta.n : 0;
  state.ui.status.textContent = selected
    ? `${selected.toLocaleString()} of ${n.toLocaleString()} selected`
    : `${n.toLocaleString()} points`;
}

function hideTip(state) { state.ui.tip.style.display = 'none'; }

function showTip(state, i, at) {
  const { ui, meta, sections } = state;
  if (!meta) return;
  const tip = ui.tip;
  tip.replaceChildren();
  const cluster = sections.cluster ? sections.cluster[i] : null;
  const id = state.ids ? state.ids[i] : `row ${i}`;
  element('div', null, tip, id).style.fontWeight = '600';
  if (cluster !== null) element('div', null, tip, meta.cluster_names[cluster] ?? `cluster ${cluster}`);
  if (sections.confidence) element('div', null, tip, `confidence ${(sections.confidence[i] / 255).toFixed(2)}`);
  if (meta.colour_values && !['cluster', 'confidence'].includes(meta.colour_label)) {
    element('div', null, tip, `${meta.colour_label}: ${meta.colour_values[state.colours[i]] ?? ''}`);
  }
  if (state.hovers && state.hovers[i]) element('div', null, tip, state.hovers[i]).style.opacity = '0.75';
  if (state.atlasUrl && meta.atlas && i < meta.atlas.n) {
    const { tile, cols } = meta.atlas;
    const thumb = element('div', 'thumb', tip);
    const scale = 64 / tile;
    thumb.style.backgroundImage = `url(${state.atlasUrl})`;
    thumb.style.backgroundSize = `${cols * tile * scale}px auto`;
    thumb.style.backgroundPosition = `-${(i % cols) * 64}px -${Math.floor(i / cols) * 64}px`;
  }
  // kept inside the map: left of the pointer near the right edge, above it near the bottom
  tip.style.display = 'block';
  const [x, y] = at;
  const w = ui.stage.clientWidth;
  const h = ui.stage.clientHeight;
  const tw = tip.offsetWidth;
  const th = tip.offsetHeight;
  tip.style.left = `${x + 12 + tw > w ? Math.max(0, x - 12 - tw) : x + 12}px`;
  tip.style.top = `${y + 12 + th > h ? Math.max(0, y - 12 - th) : y + 12}px`;
}

function downloadPng(state) {
  // the points as drawn now (zoom and pan included), with the cluster names on top
  const image = state.plot.snapshot();
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const ratio = image.width / (state.ui.canvas.clientWidth || image.width);
  ctx.font = `600 ${12 * ratio}px sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.lineWidth = 3 * ratio;
  ctx.strokeStyle = state.theme ? state.theme.backgroundCss : '#ffffff';
  ctx.fillStyle = state.theme ? state.theme.textCss : '#262730';
  for (const label of state.meta.labels) {
    const at = state.plot.getScreenPosition(label.anchor);
    if (!at) continue;
    ctx.strokeText(label.name, at[0] * ratio, at[1] * ratio);
    ctx.fillText(label.name, at[0] * ratio, at[1] * ratio);
  }
  canvas.toBlob((blob) => {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = 'clusterlab-map.png';
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }, 'image/png');
}

function placeLabels(state) {
  const { ui, meta, plot } = state;
  if (!meta || !plot) return;
  const nodes = ui.labels.children;
  meta.labels.forEach((label, j) => {
    const node = nodes[j];
    if (!node) return;
    const [x, y] = plot.getScreenPosition(label.anchor) || [-1000, -1000];
    // a label centred on a member near the edge would be cut off: keep it inside the map
    // while its member is in view
    const width = ui.stage.clientWidth;
    const half = node.offsetWidth / 2 + 2;
    const left = x >= 0 && x <= width && width > 2 * half
      ? Math.min(Math.max(x, half), width - half) : x;
    node.style.left = `${left}px`;
    node.style.top = `${y}px`;
  });
}

function drawLegend(state) {
  const { ui, meta } = state;
  ui.legend.replaceChildren();
  const legend = meta.legend;
  if (legend.kind === 'continuous') {
    element('span', null, ui.legend, `${legend.label}: ${legend.min}`);
    const ramp = element('span', 'clm-ramp', ui.legend);
    ramp.style.background = `linear-gradient(to right, ${legend.stops.join(',')})`;
    element('span', null, ui.legend, `${legend.max}`);
    return;
  }
  for (const item of legend.items) {
    const entry = element('span', null, ui.legend);
    const swatch = element('span', 'sw', entry);
    swatch.style.background = item.colour;
    element('span', null, entry, `${item.label} (${item.count.toLocaleString()})`);
  }
  if (legend.more) element('span', null, ui.legend, legend.more);
}

function drawLabels(state) {
  const { ui, meta } = state;
  ui.labels.replaceChildren();
  for (const label of meta.labels) element('div', 'clm-label', ui.labels, label.name);
  placeLabels(state);
}

function hiddenRows(meta, clusters) { // per point: filtered out by "Show clusters"
  if (!meta.filter) return null;
  const shown = new Uint8Array(meta.cluster_names.length);
  for (const c of meta.filter) shown[c] = 1;
  const hidden = new Uint8Array(clusters.length);
  for (let i = 0; i < clusters.length; i++) hidden[i] = shown[clusters[i]] ? 0 : 1;
  return hidden;
}

function update(state, meta, sections) {
  const { ui } = state;
  mark(state, 'update');
  let held = positionsByKey.get(meta.pos_key);
  if (sections.x) {
    held = { x: sections.x, y: sections.y, grid: null };
    positionsByKey.clear(); // one map at a time: keep memory bounded
    positionsByKey.set(meta.pos_key, held);
  }
  const codesHere = sections.cluster ? true : state.codesKey === meta.codes_key;
  // coloured by cluster or confidence, the colours are codes this page holds anyway
  const source = meta.colour_source;
  const coloursHere = sections.colour || source ? true : state.colourKey === meta.colour_key;
  // the selection's bitmask comes only when it is not the one this page last applied
  const selectionHere = sections.selected || meta.selection_token === state.appliedPythonToken;
  if (!held || !codesHere || !coloursHere || !selectionHere) { // lost what Python thinks it holds
    state.callbacks.setStateValue('missing', { pos_key: meta.pos_key, at: Date.now() });
    return;
  }
  if (!state.plot) startPlot(state, meta.height);
  applyTheme(state);
  const plot = state.plot;
  const newPositions = state.positionsKey !== meta.pos_key;
  if (newPositions) {
    plot.setPositions(held.x, held.y, held.grid);
    state.positionsKey = meta.pos_key;
    state.positionUploads += 1;
    plot.reset();
  }
  state.meta = meta;
  if (sections.ids) state.ids = splitLines(sections.ids);
  else if (newPositions) state.ids = null;
  if (sections.hover) state.hovers = splitLines(sections.hover);
  else if (newPositions) state.hovers = null;
  if (sections.atlas) {
    if (state.atlasUrl) URL.revokeObjectURL(state.atlasUrl);
    state.atlasUrl = URL.createObjectURL(new Blob([sections.atlas], { type: 'image/png' }));
  } else if (newPositions && state.atlasUrl) {
    URL.revokeObjectURL(state.atlasUrl);
    state.atlasUrl = null;
  }
  let redraw = newPositions;
  if (sections.cluster) { // a new review revision: cluster and confidence codes
    state.sections = { ...state.sections, cluster: sections.cluster,
      confidence: sections.confidence };
    state.codesKey = meta.codes_key;
  }
  const colours = sections.colour
    || (source && state.colourKey !== meta.colour_key ? state.sections[source] : null);
  if (colours) { // a new colouring (or revision, or cluster filter)
    state.sections = { ...state.sections, colour: colours };
    state.colours = colours;
    state.colourKey = meta.colour_key;
    state.colourUploads += 1;
    plot.setColours(colours, meta.palette);
    state.hidden = hiddenRows(meta, state.sections.cluster);
    redraw = true;
  }
  if (!ui.size.dataset.touched) {
    ui.size.value = String(meta.point_size);
    if (plot.get('size') !== meta.point_size) plot.set({ size: meta.point_size });
  }
  if (!ui.opacity.dataset.touched) {
    ui.opacity.value = String(meta.opacity);
    if (plot.get('opacity') !== meta.opacity) plot.set({ opacity: meta.opacity });
  }
  // Python's selection (a search, "Clear selection", another page) when it is not ours
  if (sections.selected && meta.selection_token !== state.appliedPythonToken) {
    state.appliedPythonToken = meta.selection_token;
    const rows = rowsOfBits(sections.selected);
    if (!sameRows(rows, state.selection)) { state.selection = rows; redraw = true; }
  }
  if (state.highlightTimer) { // a lasso waiting for this answer to be drawn
    clearTimeout(state.highlightTimer);
    state.highlightTimer = null;
    redraw = true;
  }
  if (redraw) {
    plot.setFlags(state.selection, state.hidden);
    plot.draw(() => { // the GPU finished the frame
      state.draws += 1;
      mark(state, 'drawn');
      ui.root.dataset.draws = String(state.draws);
      ui.root.dataset.ready = '1';
      // the hover grid, after the first frame; kept with the positions for a later map state
      if (newPositions) setTimeout(() => { held.grid = plot.grid(); }, 0);
    });
  }
  ui_status(state, state.selection.length);
  drawLegend(state);
  drawLabels(state);
  ui.root.dataset.positionUploads = String(state.positionUploads);
  ui.root.dataset.colourUploads = String(state.colourUploads);
  ui.root.dataset.points = String(meta.n);
  mark(state, 'done');
}

export default function (component) {
  const { data, parentElement, setStateValue, setTriggerValue } = component;
  if (!data) return undefined;
  const { meta, sections } = decodeSections(data);
  let state = maps.get(meta.widget);
  if (!state) {
    state = createMap();
    maps.set(meta.widget, state);
  }
  // Streamlit may mount a new element for new data: move the same canvas (and its WebGL
  // context, positions and hover grid) into it instead of starting again
  if (state.ui.root.parentNode !== parentElement) parentElement.appendChild(state.ui.root);
  state.callbacks = { setStateValue, setTriggerValue };
  try {
    update(state, meta, sections);
  } catch (error) {
    state.ui.status.textContent = `The map could not be drawn: ${error.message}`;
  }
  return () => {
    setTimeout(() => { // gone for good (another page): free the WebGL context
      if (state.ui.root.isConnected || maps.get(meta.widget) !== state) return;
      if (state.plot) state.plot.destroy();
      if (state.atlasUrl) URL.revokeObjectURL(state.atlasUrl);
      maps.delete(meta.widget);
    }, 3000);
  };
}
