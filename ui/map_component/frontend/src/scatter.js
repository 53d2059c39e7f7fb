// A small WebGL2 scatterplot for the Explore map: one draw call of gl.POINTS over vertex
// buffers (x, y as float32; a colour index and a flag byte per point), a 256-colour palette
// texture, pan/zoom, lasso and box selection computed on the typed arrays, and a uniform grid
// for hover and click. Measured against regl-scatterplot in benchmarks/map_scale.py: at a
// million points a frame costs the same in software WebGL, but there is no per-point
// JavaScript object, no state texture and no spatial-index build before the first frame,
// and selecting half the points is a buffer update instead of a per-point loop.

const VERTEX = `#version 300 es
in float a_x;
in float a_y;
in float a_colour;
in float a_flags;
uniform vec2 u_scale;
uniform vec2 u_centre;
uniform float u_size;
uniform float u_opacity;
uniform float u_faded;
uniform float u_has_selection;
uniform sampler2D u_palette;
out vec4 v_colour;
void main() {
  int flags = int(a_flags + 0.5);
  if ((flags & 2) != 0) { // filtered out
    gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
    gl_PointSize = 0.0;
    return;
  }
  bool selected = (flags & 1) != 0;
  gl_Position = vec4((vec2(a_x, a_y) - u_centre) * u_scale, 0.0, 1.0);
  gl_PointSize = selected && u_has_selection > 0.5 ? u_size + 1.0 : u_size;
  vec4 colour = texelFetch(u_palette, ivec2(int(a_colour + 0.5), 0), 0);
  float alpha = u_has_selection > 0.5 && !selected ? u_faded : u_opacity;
  v_colour = vec4(colour.rgb, alpha);
}`;

const FRAGMENT = `#version 300 es
precision mediump float;
in vec4 v_colour;
uniform float u_round;
out vec4 colour;
void main() {
  if (u_round > 0.5) {
    vec2 d = gl_PointCoord - vec2(0.5);
    if (dot(d, d) > 0.25) discard;
  }
  colour = v_colour;
}`;

const GRID = 256; // cells per side of the hover grid over [-1, 1]^2
const HOVER_PX = 6; // hover and click reach, in CSS pixels

function compile(gl, type, source) {
  const shader = gl.createShader(type);
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) {
    throw new Error(`map shader: ${gl.getShaderInfoLog(shader)}`);
  }
  return shader;
}

function program(gl) {
  const prog = gl.createProgram();
  gl.attachShader(prog, compile(gl, gl.VERTEX_SHADER, VERTEX));
  gl.attachShader(prog, compile(gl, gl.FRAGMENT_SHADER, FRAGMENT));
  gl.linkProgram(prog);
  if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) {
    throw new Error(`map program: ${gl.getProgramInfoLog(prog)}`);
  }
  return prog;
}

export function hexToRgba(hex) {
  const h = hex.replace('#', '');
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16), 255];
}

// rows of points (x, y in data units) inside a polygon [x0, y0, x1, y1, ...], hidden skipped
export function rowsInPolygon(x, y, flags, polygon) {
  let x0 = Infinity; let y0 = Infinity; let x1 = -Infinity; let y1 = -Infinity;
  for (let i = 0; i < polygon.length; i += 2) {
    x0 = Math.min(x0, polygon[i]); x1 = Math.max(x1, polygon[i]);
    y0 = Math.min(y0, polygon[i + 1]); y1 = Math.max(y1, polygon[i + 1]);
  }
  const m = polygon.length / 2;
  const out = [];
  for (let i = 0; i < x.length; i++) {
    const px = x[i]; const py = y[i];
    if (px < x0 || px > x1 || py < y0 || py > y1 || (flags[i] & 2)) continue;
    let inside = false;
    for (let a = 0, b = m - 1; a < m; b = a++) {
      const ya = polygon[2 * a + 1]; const yb = polygon[2 * b + 1];
      if ((ya > py) !== (yb > py)) {
        const xa = polygon[2 * a]; const xb = polygon[2 * b];
        if (px < ((xb - xa) * (py - ya)) / (yb - ya) + xa) inside = !inside;
      }
    }
    if (inside) out.push(i);
  }
  return Uint32Array.from(out);
}

// a uniform grid over [-1, 1]^2: the rows of each cell, for hover and click
function buildGrid(x, y) {
  const n = x.length;
  const cellOf = new Uint32Array(n);
  const starts = new Uint32Array(GRID * GRID + 1);
  for (let i = 0; i < n; i++) {
    const cx = Math.min(GRID - 1, Math.max(0, Math.floor(((x[i] + 1) / 2) * GRID)));
    const cy = Math.min(GRID - 1, Math.max(0, Math.floor(((y[i] + 1) / 2) * GRID)));
    const c = cy * GRID + cx;
    cellOf[i] = c;
    starts[c + 1] += 1;
  }
  for (let c = 0; c < GRID * GRID; c++) starts[c + 1] += starts[c];
  const fill = starts.slice(0, GRID * GRID);
  const rows = new Uint32Array(n);
  for (let i = 0; i < n; i++) rows[fill[cellOf[i]]++] = i;
  return { starts, rows };
}

export function createScatter(canvas, overlay, handlers) {
  const gl = canvas.getContext('webgl2', { antialias: false, premultipliedAlpha: false, alpha: false });
  if (!gl) throw new Error('this browser has no WebGL2: the map cannot be drawn');
  const prog = program(gl);
  gl.useProgram(prog);
  const uniforms = {};
  for (const name of ['u_scale', 'u_centre', 'u_size', 'u_opacity', 'u_faded', 'u_has_selection',
    'u_palette', 'u_round']) uniforms[name] = gl.getUniformLocation(prog, name);
  const vao = gl.createVertexArray();
  gl.bindVertexArray(vao);
  const attribute = (name, type) => {
    const buffer = gl.createBuffer();
    const location = gl.getAttribLocation(prog, name);
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.enableVertexAttribArray(location);
    gl.vertexAttribPointer(location, 1, type, false, 0, 0);
    return buffer;
  };
  const buffers = { x: attribute('a_x', gl.FLOAT), y: attribute('a_y', gl.FLOAT),
    colour: attribute('a_colour', gl.UNSIGNED_BYTE), flags: attribute('a_flags', gl.UNSIGNED_BYTE) };
  const palette = gl.createTexture();
  gl.bindTexture(gl.TEXTURE_2D, palette);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
  gl.enable(gl.BLEND);
  gl.blendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA);
  // the lasso or box being drawn: a polygon in the SVG overlay (which also takes the events)
  const shape = document.createElementNS('http://www.w3.org/2000/svg', 'polygon');
  shape.setAttribute('fill-opacity', '0.12');
  shape.setAttribute('stroke-width', '1.5');
  overlay.appendChild(shape);

  const s = {
    n: 0, x: null, y: null, flags: new Uint8Array(0), grid: null, width: 1, height: 1,
    centre: [0, 0], zoom: 1, size: 4, opacity: 0.85, faded: 0.15, background: [1, 1, 1],
    lassoColour: '#4C78A8', mode: 'lasso', hasSelection: false, selected: 0,
    frames: 0, frame: null, pending: null, drawnHooks: [], path: null, panFrom: null,
  };

  const pixelRatio = () => window.devicePixelRatio || 1;
  // data units -> CSS pixels (one scale for both axes, so the map keeps its aspect)
  const unit = () => (Math.min(s.width, s.height) / 2) * s.zoom;
  const toScreen = (px, py) => [s.width / 2 + (px - s.centre[0]) * unit(),
    s.height / 2 - (py - s.centre[1]) * unit()];
  const toData = (sx, sy) => [s.centre[0] + (sx - s.width / 2) / unit(),
    s.centre[1] - (sy - s.height / 2) / unit()];

  function resize(width, height) {
    s.width = width; s.height = height;
    const r = pixelRatio();
    canvas.width = Math.round(width * r); canvas.height = Math.round(height * r);
    canvas.style.width = `${width}px`; canvas.style.height = `${height}px`;
    overlay.setAttribute('width', String(width)); overlay.setAttribute('height', String(height));
    request();
  }

  function render() {
    s.frame = null;
    const r = pixelRatio();
    gl.viewport(0, 0, canvas.width, canvas.height);
    gl.clearColor(s.background[0], s.background[1], s.background[2], 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    if (s.n) {
      const u = unit();
      gl.uniform2f(uniforms.u_scale, (u * 2) / s.width, (u * 2) / s.height);
      gl.uniform2f(uniforms.u_centre, s.centre[0], s.centre[1]);
      gl.uniform1f(uniforms.u_size, s.size * r);
      gl.uniform1f(uniforms.u_opacity, s.opacity);
      gl.uniform1f(uniforms.u_faded, Math.min(s.faded, s.opacity));
      gl.uniform1f(uniforms.u_has_selection, s.hasSelection ? 1 : 0);
      gl.uniform1f(uniforms.u_round, s.n < 300000 && s.size * r >= 3 ? 1 : 0);
      gl.uniform1i(uniforms.u_palette, 0);
      gl.activeTexture(gl.TEXTURE0);
      gl.bindTexture(gl.TEXTURE_2D, palette);
      gl.bindVertexArray(vao);
      gl.drawArrays(gl.POINTS, 0, s.n);
    }
    s.frames += 1;
    if (!s.path) shape.setAttribute('points', ''); // a finished lasso stays until drawn
    const hooks = s.drawnHooks;
    s.drawnHooks = [];
    if (hooks.length) whenFinished(() => hooks.forEach((hook) => hook()));
    if (handlers.onView) handlers.onView();
  }

  // the GPU has finished the frame (software WebGL renders after the call returns): a fence
  // polled without blocking the page
  function whenFinished(done) {
    const fence = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
    gl.flush();
    const poll = () => {
      const status = gl.clientWaitSync(fence, 0, 0);
      if (status === gl.TIMEOUT_EXPIRED) { setTimeout(poll, 5); return; }
      gl.deleteSync(fence);
      done();
    };
    poll();
  }

  function request(onDrawn) {
    if (onDrawn) s.drawnHooks.push(onDrawn);
    if (!s.frame) s.frame = requestAnimationFrame(render);
  }

  function upload(buffer, data) {
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.bufferData(gl.ARRAY_BUFFER, data, gl.DYNAMIC_DRAW);
  }

  const api = {
    setPositions(x, y, grid) {
      s.n = x.length; s.x = x; s.y = y;
      upload(buffers.x, x);
      upload(buffers.y, y);
      if (s.flags.length !== s.n) { s.flags = new Uint8Array(s.n); upload(buffers.flags, s.flags); }
      s.grid = grid || null;
      return s.grid;
    },
    // the hover grid is built after the first frame (it is not needed to see the map)
    grid() {
      if (!s.grid && s.n) s.grid = buildGrid(s.x, s.y);
      return s.grid;
    },
    setColours(codes, colours) {
      upload(buffers.colour, codes);
      const rgba = new Uint8Array(256 * 4);
      colours.slice(0, 256).forEach((c, i) => rgba.set(hexToRgba(c), i * 4));
      gl.bindTexture(gl.TEXTURE_2D, palette);
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, 256, 1, 0, gl.RGBA, gl.UNSIGNED_BYTE, rgba);
    },
    // rows: sorted selected rows; hidden: per-point bool (filtered out) or null
    setFlags(rows, hidden) {
      const flags = new Uint8Array(s.n);
      if (hidden) for (let i = 0; i < s.n; i++) if (hidden[i]) flags[i] = 2;
      for (const r of rows) if (r < s.n) flags[r] |= 1;
      s.flags = flags;
      s.hasSelection = rows.length > 0;
      s.selected = rows.length;
      upload(buffers.flags, flags);
    },
    set(options) {
      if (options.size !== undefined) s.size = options.size;
      if (options.opacity !== undefined) s.opacity = options.opacity;
      if (options.background) s.background = options.background;
      if (options.lassoColour) s.lassoColour = options.lassoColour;
      if (options.mode) s.mode = options.mode;
      request();
    },
    get(name) {
      if (name === 'selectedPoints') {
        const rows = [];
        for (let i = 0; i < s.n; i++) if (s.flags[i] & 1) rows.push(i);
        return rows;
      }
      return s[name];
    },
    draw: request,
    reset() { s.centre = [0, 0]; s.zoom = 1; request(); },
    resize,
    getScreenPosition(i) { return i >= 0 && i < s.n ? toScreen(s.x[i], s.y[i]) : null; },
    nearest(sx, sy) { // the visible point nearest a screen place within HOVER_PX, or -1
      const grid = api.grid();
      if (!grid) return -1;
      const [dx, dy] = toData(sx, sy);
      const reach = HOVER_PX / unit();
      const cell = (v) => Math.floor(((v + 1) / 2) * GRID);
      let best = -1; let bestD = reach * reach;
      for (let cy = Math.max(0, cell(dy - reach)); cy <= Math.min(GRID - 1, cell(dy + reach)); cy++) {
        for (let cx = Math.max(0, cell(dx - reach)); cx <= Math.min(GRID - 1, cell(dx + reach)); cx++) {
          const c = cy * GRID + cx;
          for (let k = grid.starts[c]; k < grid.starts[c + 1]; k++) {
            const i = grid.rows[k];
            if (s.flags[i] & 2) continue;
            const d = (s.x[i] - dx) ** 2 + (s.y[i] - dy) ** 2;
            if (d <= bestD) { bestD = d; best = i; }
          }
        }
      }
      return best;
    },
    // the current frame as an image (drawn and read in one task: no preserved buffer needed)
    snapshot() {
      render();
      const copy = document.createElement('canvas');
      copy.width = canvas.width; copy.height = canvas.height;
      copy.getContext('2d').drawImage(canvas, 0, 0);
      return copy;
    },
    destroy() {
      for (const b of Object.values(buffers)) gl.deleteBuffer(b);
      gl.deleteTexture(palette);
      gl.deleteProgram(prog);
      const lose = gl.getExtension('WEBGL_lose_context');
      if (lose) lose.loseContext();
    },
  };

  // --- pointer: lasso / box / pan, wheel zoom, hover, click, double-click reset ---
  const local = (e) => {
    const box = overlay.getBoundingClientRect();
    return [e.clientX - box.left, e.clientY - box.top];
  };
  function drawPath() {
    if (!s.path || s.path.length < 2) { shape.setAttribute('points', ''); return; }
    const points = s.mode === 'box' ? boxCorners(s.path) : s.path;
    shape.setAttribute('points', points.map(([px, py]) => `${px},${py}`).join(' '));
    shape.setAttribute('stroke', s.lassoColour);
    shape.setAttribute('fill', s.lassoColour);
  }
  function boxCorners(path) {
    const [a, b] = [path[0], path[path.length - 1]];
    return [a, [b[0], a[1]], b, [a[0], b[1]]];
  }
  overlay.addEventListener('mousedown', (e) => {
    if (e.button !== 0) return;
    const at = local(e);
    if (s.mode === 'pan') s.panFrom = { at, centre: [...s.centre] };
    else s.path = [at];
    s.down = at;
    s.travel = 0;
    e.preventDefault();
  });
  window.addEventListener('mousemove', (e) => {
    if (!s.down) return;
    const at = local(e);
    s.travel = Math.max(s.travel, Math.hypot(at[0] - s.down[0], at[1] - s.down[1]));
    if (s.panFrom) {
      const u = unit();
      s.centre = [s.panFrom.centre[0] - (at[0] - s.panFrom.at[0]) / u,
        s.panFrom.centre[1] + (at[1] - s.panFrom.at[1]) / u];
      request();
    } else if (s.path) {
      s.path.push(at);
      drawPath();
    }
  });
  window.addEventListener('mouseup', (e) => {
    if (!s.down) return;
    const at = local(e);
    const moved = s.travel > 3; // a closed lasso ends where it began
    const path = s.path;
    s.down = null; s.path = null; s.panFrom = null;
    if (!moved) {
      drawPath();
      const row = api.nearest(at[0], at[1]);
      if (row >= 0 && handlers.onClick) handlers.onClick(row);
      return;
    }
    if (!path) return;
    path.push(at);
    const corners = s.mode === 'box' ? boxCorners(path) : path;
    const polygon = [];
    for (const [px, py] of corners) polygon.push(...toData(px, py));
    if (handlers.onLasso) handlers.onLasso(rowsInPolygon(s.x, s.y, s.flags, polygon), e.shiftKey);
  });
  overlay.addEventListener('mousemove', (e) => {
    if (s.down || !handlers.onHover) return;
    const at = local(e);
    handlers.onHover(api.nearest(at[0], at[1]), at);
  });
  overlay.addEventListener('mouseleave', () => handlers.onHover && handlers.onHover(-1, null));
  overlay.addEventListener('wheel', (e) => {
    e.preventDefault();
    const at = local(e);
    const before = toData(at[0], at[1]);
    s.zoom = Math.min(2000, Math.max(0.2, s.zoom * Math.exp(-e.deltaY * 0.0015)));
    const after = toData(at[0], at[1]);
    s.centre = [s.centre[0] + before[0] - after[0], s.centre[1] + before[1] - after[1]];
    request();
  }, { passive: false });
  overlay.addEventListener('dblclick', () => api.reset());
  return api;
}
