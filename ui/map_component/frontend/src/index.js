// The Explore map of clusterlab: a Streamlit v2 component around regl-scatterplot.
//
// Python sends one binary payload (see ui/map_payload.py for the layout): an 8-byte header,
// a JSON block (palette, legend, cluster names, selection, settings) and typed-array sections
// (x, y as float32; colour codes as uint8; cluster codes as uint16; confidence as uint8; ids and
// hover texts as newline-joined UTF-8; an optional PNG thumbnail atlas). Positions are sent once
// per session and map: later payloads carry only colours and this module keeps the positions
// and their spatial index. The selection goes back as row indices (few) or a base64 bitmask.
import createScatterplot from 'regl-scatterplot';

const MAGIC = 'CLM1';
const FEW_ROWS = 20000; // above this a selection is sent as a bitmask
const positionsByKey = new Map(); // pos_key -> {x, y, spatialIndex}
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
  const tip = element('div', 'clm-tip', stage);
  const legend = element('div', 'clm-legend', root);
  return { root, bar, modes, add, reset, png, size, opacity, status, stage, canvas, labels, tip, legend };
}

function createMap() {
  const ui = build();
  const state = {
    ui, plot: null, meta: null, sections: null, positionsKey: null, colours: null,
    selection: new Uint32Array(0), token: 0, appliedPythonToken: null, lassoing: false,
    additive: false, shift: false, ids: null, hovers: null, atlasUrl: null, mode: 'lasso',
    callbacks: null, mouse: [0, 0], draws: 0, positionUploads: 0, timeline: [],
  };
  const setMode = (mode) => {
    state.mode = mode;
    for (const [name, button] of Object.entries(ui.modes)) button.classList.toggle('on', name === mode);
    if (!state.plot) return;
    if (mode === 'pan') state.plot.set({ mouseMode: 'panZoom' });
    else state.plot.set({ mouseMode: 'lasso', lassoType: mode === 'box' ? 'rectangle' : 'freeform' });
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
    if (state.plot) state.plot.set({ pointSize: Number(ui.size.value) });
  };
  ui.opacity.oninput = () => {
    ui.opacity.dataset.touched = '1';
    if (state.plot) state.plot.set({ opacity: Number(ui.opacity.value) });
  };
  window.addEventListener('keydown', (e) => { state.shift = e.shiftKey; });
  window.addEventListener('keyup', (e) => { state.shift = e.shiftKey; });
  ui.stage.addEventListener('mousemove', (e) => {
    const box = ui.stage.getBoundingClientRect();
    state.mouse = [e.clientX - box.left, e.clientY - box.top];
    state.shift = e.shiftKey;
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
  state.plot.set({ backgroundColor: colours.background, pointColorActive: colours.text });
}

const FAST_FROM = 300000; // from this many points: square points, no blending, no outlines

function startPlot(state, height, n) {
  const { ui } = state;
  ui.stage.style.height = `${height}px`;
  const width = ui.stage.clientWidth || 600;
  const plot = createScatterplot({
    canvas: ui.canvas, width, height, pointSize: 4, opacity: 0.85,
    pointColorActive: [0.05, 0.05, 0.05, 1], pointOutlineWidth: n >= FAST_FROM ? 0 : 2,
    pointSizeSelected: n >= FAST_FROM ? 0 : 1, performanceMode: n >= FAST_FROM,
    opacityInactiveMax: 0.15, // with a selection, the rest fades
    lassoColor: [0.3, 0.47, 0.66, 1], backgroundColor: [1, 1, 1, 1],
    deselectOnDblClick: false, deselectOnEscape: true, lassoClearEvent: 'lassoEnd',
    actionKeyMap: {},
  });
  state.plot = plot;
  plot.subscribe('lassoStart', () => { state.lassoing = true; state.lassoMoved = false; });
  plot.subscribe('lassoEnd', () => mark(state, 'lassoEnd'));
  plot.subscribe('lassoExtend', () => { state.lassoMoved = true; });
  plot.subscribe('select', ({ points }) => onSelect(state, points));
  plot.subscribe('deselect', () => {
    if (state.selection.length) reportSelection(state, new Uint32Array(0));
  });
  plot.subscribe('pointOver', (i) => showTip(state, i));
  plot.subscribe('pointOut', () => { ui.tip.style.display = 'none'; });
  plot.subscribe('view', () => placeLabels(state));
  plot.subscribe('draw', () => placeLabels(state));
  new ResizeObserver(() => {
    const w = ui.stage.clientWidth;
    if (w && plot.get('width') !== w) plot.set({ width: w });
  }).observe(ui.stage);
  ui.canvas.addEventListener('dblclick', () => plot.reset());
  state.setMode(state.mode);
}

function mark(state, what) { // a short timeline for the benchmarks (last 40 events)
  state.timeline.push([what, Math.round(performance.now())]);
  if (state.timeline.length > 40) state.timeline.shift();
}

function onSelect(state, points) {
  mark(state, `select ${points.length}`);
  const lasso = state.lassoing && state.lassoMoved;
  state.lassoing = false;
  state.lassoMoved = false;
  if (!lasso) { // a click on one point: open its cluster, keep the selection as it was
    state.plot.select(Array.from(state.selection), { preventEvent: true });
    if (points.length === 1 && state.callbacks) {
      state.callbacks.setTriggerValue('clicked', { row: points[0], at: Date.now() });
    }
    return;
  }
  let rows = Uint32Array.from(points);
  if ((state.additive || state.shift) && state.selection.length) {
    const merged = new Set(state.selection);
    for (const r of rows) merged.add(r);
    rows = Uint32Array.from(merged);
    state.plot.select(Array.from(rows), { preventEvent: true });
  }
  reportSelection(state, rows);
}

function reportSelection(state, rows) {
  rows.sort();
  state.selection = rows;
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
  ui_status(state, rows.length);
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

function showTip(state, i) {
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
  if (state.hovers && state.hovers[i]) element('div', null, tip, state.hovers[i]).style.color = '#555';
  if (state.atlasUrl && meta.atlas && i < meta.atlas.n) {
    const { tile, cols } = meta.atlas;
    const thumb = element('div', 'thumb', tip);
    const scale = 64 / tile;
    thumb.style.backgroundImage = `url(${state.atlasUrl})`;
    thumb.style.backgroundSize = `${cols * tile * scale}px auto`;
    thumb.style.backgroundPosition = `-${(i % cols) * 64}px -${Math.floor(i / cols) * 64}px`;
  }
  const [x, y] = state.mouse;
  const w = ui.stage.clientWidth;
  tip.style.left = `${Math.min(x + 12, w - 200)}px`;
  tip.style.top = `${y + 12}px`;
  tip.style.display = 'block';
}

function downloadPng(state) {
  // the points as drawn now (zoom and pan included), with the cluster names on top
  const image = state.plot.export();
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = state.theme ? state.theme.backgroundCss : '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const points = document.createElement('canvas');
  points.width = image.width;
  points.height = image.height;
  points.getContext('2d').putImageData(image, 0, 0);
  ctx.drawImage(points, 0, 0);
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
    node.style.left = `${x}px`;
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

async function update(state, meta, sections) {
  const { ui } = state;
  mark(state, 'update');
  let held = positionsByKey.get(meta.pos_key);
  if (sections.x) {
    held = { x: sections.x, y: sections.y, spatialIndex: null };
    positionsByKey.clear(); // one map at a time: keep memory bounded
    positionsByKey.set(meta.pos_key, held);
    state.positionUploads += 1;
  } else if (!held) { // this page lost the positions (reload): ask Python for them
    state.callbacks.setStateValue('missing', { pos_key: meta.pos_key, at: Date.now() });
    return;
  }
  if (!state.plot) startPlot(state, meta.height, meta.n);
  applyTheme(state);
  const plot = state.plot;
  const samePositions = state.positionsKey === meta.pos_key && held.spatialIndex;
  state.meta = meta;
  state.sections = sections;
  state.colours = sections.colour;
  if (sections.ids) state.ids = splitLines(sections.ids);
  else if (!samePositions) state.ids = null;
  if (sections.hover) state.hovers = splitLines(sections.hover);
  else if (!samePositions) state.hovers = null;
  if (sections.atlas) {
    if (state.atlasUrl) URL.revokeObjectURL(state.atlasUrl);
    state.atlasUrl = URL.createObjectURL(new Blob([sections.atlas], { type: 'image/png' }));
  } else if (!samePositions && state.atlasUrl) {
    URL.revokeObjectURL(state.atlasUrl);
    state.atlasUrl = null;
  }
  // only the selection changed (the usual rerun after a lasso): no redraw at all
  const sameColours = samePositions && state.colourKey === meta.colour_key;
  if (!sameColours) {
    plot.set({ pointColor: meta.palette, colorBy: 'valueA' });
    const points = { x: held.x, y: held.y, valueA: sections.colour };
    const options = { zDataType: 'categorical' };
    if (samePositions) options.spatialIndex = held.spatialIndex;
    await plot.draw(points, options);
    mark(state, 'drawn');
    state.draws += 1;
    state.colourKey = meta.colour_key;
    if (!samePositions) {
      held.spatialIndex = plot.get('spatialIndex');
      state.positionsKey = meta.pos_key;
      plot.reset();
    }
    if (meta.filter) {
      const shown = new Set(meta.filter);
      const rows = [];
      const clusters = sections.cluster;
      for (let i = 0; i < clusters.length; i++) if (shown.has(clusters[i])) rows.push(i);
      await plot.filter(rows, { preventEvent: true });
    } else if (plot.get('isPointsFiltered')) await plot.unfilter({ preventEvent: true });
  }
  if (!ui.size.dataset.touched) {
    ui.size.value = String(meta.point_size);
    plot.set({ pointSize: meta.point_size });
  }
  if (!ui.opacity.dataset.touched) {
    ui.opacity.value = String(meta.opacity);
    plot.set({ opacity: meta.opacity });
  }
  let changed = false;
  if (meta.selection_token !== state.appliedPythonToken) {
    state.appliedPythonToken = meta.selection_token;
    const rows = rowsOfBits(sections.selected);
    changed = !sameRows(rows, state.selection);
    if (changed) state.selection = rows;
  }
  // a new draw leaves regl-scatterplot's selection list but not its buffer: select afresh
  if (changed || !sameColours) {
    plot.deselect({ preventEvent: true });
    if (state.selection.length) plot.select(Array.from(state.selection), { preventEvent: true });
  }
  ui_status(state, state.selection.length);
  drawLegend(state);
  drawLabels(state);
  ui.root.dataset.draws = String(state.draws);
  ui.root.dataset.positionUploads = String(state.positionUploads);
  ui.root.dataset.points = String(meta.n);
  ui.root.dataset.ready = '1';
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
  // context, positions and spatial index) into it instead of starting again
  if (state.ui.root.parentNode !== parentElement) parentElement.appendChild(state.ui.root);
  state.callbacks = { setStateValue, setTriggerValue };
  update(state, meta, sections).catch((error) => {
    state.ui.status.textContent = `The map could not be drawn: ${error.message}`;
  });
  return () => {
    setTimeout(() => { // gone for good (another page): free the WebGL context
      if (state.ui.root.isConnected || maps.get(meta.widget) !== state) return;
      if (state.plot) state.plot.destroy();
      if (state.atlasUrl) URL.revokeObjectURL(state.atlasUrl);
      maps.delete(meta.widget);
    }, 3000);
  };
}
