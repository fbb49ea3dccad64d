/* report.js - the pages of vox's offline HTML report: a structure, a trajectory, the index of
 * an output directory.
 *
 * The page's data is the JSON in <script type="application/json" id="vox-data">, written by
 * vox (src/io/write_html.c, src/cli/report*.c).  Everything here is built with DOM calls and
 * textContent, never by parsing markup, so names and titles from structure files stay text.
 * The page's Content-Security-Policy allows scripts from the page's own folder only and no
 * network; 3Dmol.js (one copy in vox-report/) draws, surfaces are computed synchronously (no
 * worker from a blob URL).
 *
 * For tests and people alike the page says where it is: body[data-vox-state] becomes "drawn"
 * after the first frame is on screen (with performance mark "vox-drawn"), and
 * body[data-vox-views] counts the frames drawn since (a click on a volume draws one). */
(function () {
  'use strict';

  var TYPE_COLOURS = { hub: '#8c5fc7', pore: '#d62728', pocket: '#ff7f0e', cavity: '#2ca02c' };
  var PROTEIN_COLOUR = '#6f95c9';
  var TYPES = ['hub', 'pore', 'pocket', 'cavity'];
  var CHAIN_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

  /* ---- small helpers ------------------------------------------------------------------- */

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function svg(tag, attrs) {
    var e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, String(attrs[k]));
    return e;
  }

  function fmt(v, digits) {
    if (v === null || v === undefined) return '\u2013';
    if (typeof v !== 'number') return String(v);
    if (digits === undefined || digits < 0) return String(v);
    return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  function swatch(type) {
    return el('span', 'swatch t-' + (TYPE_COLOURS[type] ? type : 'other'));
  }

  /* Points coded as centi-Å integers, each axis delta-coded against the previous point. */
  function decodePoints(a) {
    var out = new Float64Array(a.length), last = [0, 0, 0];
    for (var i = 0; i < a.length; i++) {
      last[i % 3] += a[i];
      out[i] = last[i % 3] / 100;
    }
    return out;
  }

  /* A PDB column: printable ASCII only, no blanks, at most n characters. */
  function column(s, n) {
    var t = String(s === undefined || s === null ? '' : s).replace(/[^\x21-\x7e]/g, '_');
    return t.length > n ? t.slice(0, n) : t;
  }

  function lpad(s, n) { s = String(s); while (s.length < n) s = ' ' + s; return s; }
  function rpad(s, n) { s = String(s); while (s.length < n) s = s + ' '; return s; }

  function coord(v) {
    for (var d = 3; d >= 0; d--) {
      var s = v.toFixed(d);
      if (s.length <= 8) return lpad(s, 8);
    }
    return lpad('0.000', 8);
  }

  /* The protein as PDB text (p.residues: [residue name, chain, number, insertion code, hetero, atoms]
   * indices into p.resn and p.chains; p.atoms: per atom an index into p.kinds, [name, element]) for 3Dmol's own parser (bonds, secondary structure), with the
   * names cut to their PDB columns and each chain given one letter; the page's tables keep
   * the full names. */
  function proteinPDB(p, xyz) {
    var lines = [], letters = {}, nletters = 0, atom = 0;
    for (var r = 0; r < p.residues.length; r++) {
      var res = p.residues[r];
      var chain = p.chains[res[1]];
      if (!Object.prototype.hasOwnProperty.call(letters, chain)) letters[chain] = CHAIN_LETTERS[nletters++ % CHAIN_LETTERS.length];
      var resn = rpad(column(p.resn[res[0]], 3), 3);
      var resi = ((res[2] % 10000) + 10000) % 10000;
      var icode = column(res[3], 1) || ' ';
      for (var k = 0; k < res[5]; k++, atom++) {
        var kind = p.kinds[p.atoms[atom]];
        var name = column(kind[0], 4), elem = column(kind[1], 2);
        var field = name.length < 4 && elem.length < 2 ? ' ' + rpad(name, 3) : rpad(name, 4);
        lines.push((res[4] ? 'HETATM' : 'ATOM  ') + lpad((atom + 1) % 100000, 5) + ' ' + field + ' ' + resn + ' ' +
          letters[chain] + lpad(resi, 4) + icode + '   ' + coord(xyz[3 * atom]) + coord(xyz[3 * atom + 1]) +
          coord(xyz[3 * atom + 2]) + '  1.00  0.00          ' + lpad(elem.toUpperCase(), 2));
      }
    }
    lines.push('END');
    return lines.join('\n');
  }

  /* A chain of residues (one C-alpha each, 3.8 A from the next one's: a cartoon can follow it) or
   * loose atoms (drawn as atoms instead: a cartoon of them would be empty). */
  function looksLikePolymer(p, xyz) {
    var ca = -1, one = 0, some = 0, atom = 0, pairs = 0, linked = 0, prev = -1, prevChain = -1;
    for (var i = 0; i < p.kinds.length; i++) if (p.kinds[i][0] === 'CA') ca = i;
    if (ca < 0) return false;
    for (var r = 0; r < p.residues.length; r++) {
      var n = 0, at = -1;
      for (var k = 0; k < p.residues[r][5]; k++, atom++) if (p.atoms[atom] === ca) { n++; at = atom; }
      if (n) some++;
      if (n !== 1) continue;
      one++;
      if (prev >= 0 && prevChain === p.residues[r][1]) {
        var dx = xyz[3 * at] - xyz[3 * prev], dy = xyz[3 * at + 1] - xyz[3 * prev + 1], dz = xyz[3 * at + 2] - xyz[3 * prev + 2];
        var d = Math.sqrt(dx * dx + dy * dy + dz * dz);
        pairs++;
        if (d > 2.8 && d < 4.6) linked++;
      }
      prev = at;
      prevChain = p.residues[r][1];
    }
    return one >= 2 && one >= 0.9 * some && linked >= 0.5 * pairs;
  }

  function markViews() {
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        var b = document.body;
        if (b.dataset.voxState !== 'drawn') {
          performance.mark('vox-drawn');
          b.dataset.voxState = 'drawn';
        }
        b.dataset.voxViews = String(Number(b.dataset.voxViews || 0) + 1);
      });
    });
  }

  /* ---- the 3D scene: a protein and its volumes -------------------------------------------- */

  /* A software WebGL (SwiftShader, llvmpipe: no GPU, as on headless servers and many VMs) draws
   * multisampled frames several times slower; there the view is drawn without antialiasing. */
  function softwareGL() {
    try {
      var gl = document.createElement('canvas').getContext('webgl');
      if (!gl) return false;
      var info = gl.getExtension('WEBGL_debug_renderer_info');
      var name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
      var lose = gl.getExtension('WEBGL_lose_context');
      if (lose) lose.loseContext();
      return /swiftshader|llvmpipe|softpipe|software/i.test(name);
    } catch (e) {
      return false;
    }
  }

  function Scene(container, onHover) {
    this.container = container;
    this.onHover = onHover;
    this.models = [];
    this.hiddenTypes = {};
    this.selected = -1;
    this.proteinStyle = 'cartoon';
    this.viewer = null;
    // the viewer's script is a file beside the page (vox-report/3Dmol-min.js): a page copied
    // without that folder has no viewer, which is not a missing WebGL
    var loaded = typeof $3Dmol !== 'undefined';
    try {
      if (loaded && $3Dmol.setSyncSurface) $3Dmol.setSyncSurface(true);
      if (loaded) this.viewer = $3Dmol.createViewer(container, { backgroundColor: 'white', antialias: !softwareGL(), cartoonQuality: 4 });
    } catch (e) {
      this.viewer = null;
    }
    if (!this.viewer) container.appendChild(el('p', 'no-webgl', loaded ? 'The 3D view needs WebGL, which this browser does not offer.' :
      'The 3D view needs the viewer vox-report/3Dmol-min.js beside this page, which is missing: copy the page with its vox-report folder.'));
  }

  Scene.prototype.load = function (topology, xyz, volumes, resolution) {
    var v = this.viewer;
    this.volumes = volumes;
    this.selected = -1;
    if (!v) return;
    v.removeAllModels();
    v.removeAllSurfaces();
    this.surface = null;
    performance.mark('vox-load');
    var atoms = decodePoints(xyz);
    this.protein = v.addModel(proteinPDB(topology, atoms), 'pdb');
    performance.mark('vox-protein');
    this.polymer = looksLikePolymer(topology, atoms);
    if (!this.polymer && this.proteinStyle === 'cartoon') this.proteinStyle = 'atoms';
    this.models = [];
    var radius = resolution / 2, self = this;
    volumes.forEach(function (vol, i) {
      var pts = decodePoints(vol.xyz), atoms = [];
      for (var k = 0; k < pts.length; k += 3) atoms.push({ x: pts[k], y: pts[k + 1], z: pts[k + 2], elem: 'X', serial: k / 3 });
      var m = v.addModel();
      m.addAtoms(atoms);
      m.setHoverable({}, true, function () { self.onHover(i, true); }, function () { self.onHover(i, false); });
      m.setClickable({}, true, function () { if (self.onClick) self.onClick(i); });
      self.models.push(m);
    });
    this.radius = radius;
    performance.mark('vox-volumes');
    this.restyle();
    v.zoomTo();
    v.render();
    performance.mark('vox-render');
    markViews();
  };

  Scene.prototype.restyle = function () {
    var self = this, focus = this.selected >= 0;
    var pstyle = {};
    var dim = focus ? 0.45 : 1.0;
    if (this.proteinStyle === 'cartoon') pstyle = { cartoon: { color: PROTEIN_COLOUR, opacity: dim } };
    else if (this.proteinStyle === 'lines') pstyle = { line: { color: PROTEIN_COLOUR, opacity: dim } };
    else if (this.proteinStyle === 'atoms') pstyle = { cross: { color: PROTEIN_COLOUR, radius: 0.45, opacity: dim } };
    else if (this.proteinStyle === 'surface') pstyle = { cartoon: { color: PROTEIN_COLOUR, opacity: dim } };
    this.protein.setStyle({}, pstyle);
    if (this.proteinStyle === 'cartoon' || this.proteinStyle === 'surface')
      this.protein.setStyle({ hetflag: true }, { stick: { color: PROTEIN_COLOUR, radius: 0.15, opacity: dim } });
    if (this.proteinStyle === 'hidden') this.protein.hide(); else this.protein.show();
    this.models.forEach(function (m, i) {
      var vol = self.volumes[i];
      var on = i === self.selected;
      m.setStyle({}, { sphere: { radius: self.radius * (on ? 1.08 : 1.0), color: TYPE_COLOURS[vol.type] || '#777777',
        opacity: focus && !on ? 0.22 : 1.0 } });
      if (self.hiddenTypes[vol.type] && !on) m.hide(); else m.show();
    });
  };

  Scene.prototype.setProteinStyle = function (style) {
    var v = this.viewer;
    if (!v) return;
    this.proteinStyle = style;
    if (style === 'surface' && !this.surface) {
      this.surface = v.addSurface($3Dmol.SurfaceType.VDW, { color: PROTEIN_COLOUR, opacity: 0.55 }, { model: this.protein });
    } else if (style !== 'surface' && this.surface) {
      v.removeAllSurfaces();
      this.surface = null;
    }
    this.restyle();
    v.render();
    markViews();
  };

  Scene.prototype.setTypeHidden = function (type, hidden) {
    if (!this.viewer) return;
    this.hiddenTypes[type] = hidden;
    this.restyle();
    this.viewer.render();
    markViews();
  };

  Scene.prototype.select = function (i) {
    var v = this.viewer;
    if (!v) return;
    this.selected = i;
    this.restyle();
    if (i >= 0) {
      v.zoomTo({ model: this.models[i] });
      v.zoom(0.45);
    } else {
      v.zoomTo();
    }
    v.render();
    markViews();
  };

  /* ---- the volume table, the info line and the chart ---------------------------------------- */

  function VolumePanel(root, columns, scene) {
    var self = this;
    this.scene = scene;
    this.columns = columns;
    this.info = el('div', 'info');
    this.info.setAttribute('aria-live', 'polite');
    this.table = el('table', 'volumes');
    this.table.id = 'volumes';
    var head = el('tr');
    columns.forEach(function (c) { head.appendChild(el('th', c[2] >= 0 || c[0] === 'id' || c[0] === 'voxels' ? 'num' : '', c[1])); });
    var thead = el('thead');
    thead.appendChild(head);
    this.table.appendChild(thead);
    this.tbody = el('tbody');
    this.table.appendChild(this.tbody);
    this.chart = el('div', 'bars');
    this.toggles = el('div', 'toggles');
    scene.onHover = function (i, on) { self.hover(on ? i : -1); };
    scene.onClick = function (i) { self.select(self.selected === i ? -1 : i); };
    root.appendChild(this.info);
  }

  VolumePanel.prototype.show = function (volumes) {
    var self = this;
    this.volumes = volumes;
    this.selected = -1;
    while (this.tbody.firstChild) this.tbody.removeChild(this.tbody.firstChild);
    this.rows = volumes.map(function (vol, i) {
      var tr = el('tr');
      tr.tabIndex = 0;
      tr.dataset.index = String(i);
      tr.classList.add('t-' + vol.type);
      // a type toggled off stays so in another frame's rows
      if (self.scene && self.scene.hiddenTypes[vol.type]) tr.classList.add('muted');
      self.columns.forEach(function (c) {
        var td = el('td', c[2] >= 0 || c[0] === 'id' || c[0] === 'voxels' ? 'num' : '');
        if (c[0] === 'type') td.appendChild(swatch(vol.type));
        td.appendChild(document.createTextNode(fmt(vol[c[0]], c[2])));
        tr.appendChild(td);
      });
      tr.addEventListener('click', function () { self.select(self.selected === i ? -1 : i); });
      tr.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); self.select(self.selected === i ? -1 : i); } });
      tr.addEventListener('mouseenter', function () { self.hover(i); });
      tr.addEventListener('mouseleave', function () { self.hover(-1); });
      self.tbody.appendChild(tr);
      return tr;
    });
    if (!volumes.length) {
      var tr = el('tr'), td = el('td', 'empty', 'No volumes.');
      td.colSpan = this.columns.length;
      tr.appendChild(td);
      this.tbody.appendChild(tr);
    }
    this.drawChart();
    this.drawToggles();
    this.hover(-1);
  };

  VolumePanel.prototype.describe = function (i) {
    var vol = this.volumes[i], parts = [];
    this.columns.forEach(function (c) {
      if (c[0] === 'type' || c[0] === 'id') return;
      parts.push(c[1] + ' ' + fmt(vol[c[0]], c[2]));
    });
    parts.push('centre ' + vol.centre.map(function (x) { return x.toFixed(1); }).join(', ') + ' \u00c5');
    return parts.join(' \u00b7 ');
  };

  VolumePanel.prototype.hover = function (i) {
    var show = i >= 0 ? i : this.selected;
    this.rows.forEach(function (tr, k) { tr.classList.toggle('hover', k === i); });
    while (this.info.firstChild) this.info.removeChild(this.info.firstChild);
    if (show < 0 || !this.volumes[show]) {
      this.info.appendChild(el('span', 'hint', this.volumes.length ?
        'Click a row (or a volume) to focus it; hover to see its values.' : 'No volumes to show.'));
      return;
    }
    var vol = this.volumes[show];
    var head = el('strong');
    head.appendChild(swatch(vol.type));
    head.appendChild(document.createTextNode(vol.type + ' ' + vol.id));
    this.info.appendChild(head);
    this.info.appendChild(el('span', '', ' ' + this.describe(show)));
  };

  VolumePanel.prototype.select = function (i) {
    this.selected = i;
    this.rows.forEach(function (tr, k) { tr.classList.toggle('selected', k === i); tr.setAttribute('aria-selected', k === i ? 'true' : 'false'); });
    if (i >= 0 && this.rows[i] && this.rows[i].scrollIntoView) this.rows[i].scrollIntoView({ block: 'nearest' });
    this.scene.select(i);
    this.hover(-1);
  };

  VolumePanel.prototype.drawChart = function () {
    var totals = {}, counts = {}, max = 0;
    this.volumes.forEach(function (v) {
      totals[v.type] = (totals[v.type] || 0) + v.volume;
      counts[v.type] = (counts[v.type] || 0) + 1;
    });
    TYPES.forEach(function (t) { if (totals[t] > max) max = totals[t]; });
    while (this.chart.firstChild) this.chart.removeChild(this.chart.firstChild);
    var self = this;
    TYPES.forEach(function (t) {
      if (!counts[t]) return;
      var row = el('div', 'bar-row');
      var label = el('span', 'bar-label');
      label.appendChild(swatch(t));
      label.appendChild(document.createTextNode(t));
      var track = el('span', 'bar-track');
      var bar = el('span', 'bar t-' + t);
      bar.style.width = (max > 0 ? 100 * totals[t] / max : 0).toFixed(1) + '%';
      track.appendChild(bar);
      row.appendChild(label);
      row.appendChild(track);
      row.appendChild(el('span', 'bar-value', fmt(totals[t], 0) + ' \u00c5\u00b3 (' + counts[t] + ')'));
      self.chart.appendChild(row);
    });
    if (!this.chart.firstChild) this.chart.appendChild(el('p', 'empty', 'No volumes.'));
  };

  VolumePanel.prototype.drawToggles = function () {
    var self = this, counts = {};
    this.volumes.forEach(function (v) { counts[v.type] = (counts[v.type] || 0) + 1; });
    while (this.toggles.firstChild) this.toggles.removeChild(this.toggles.firstChild);
    TYPES.forEach(function (t) {
      if (!counts[t]) return;
      var lab = el('label', 'toggle');
      var box = el('input');
      box.type = 'checkbox';
      box.checked = !self.scene.hiddenTypes[t];
      box.dataset.type = t;
      box.addEventListener('change', function () {
        self.scene.setTypeHidden(t, !box.checked);
        self.rows.forEach(function (tr, k) { if (self.volumes[k].type === t) tr.classList.toggle('muted', !box.checked); });
      });
      lab.appendChild(box);
      lab.appendChild(swatch(t));
      lab.appendChild(document.createTextNode(t + ' (' + counts[t] + ')'));
      self.toggles.appendChild(lab);
    });
  };

  function proteinControl(scene) {
    var wrap = el('label', 'protein-style', 'protein ');
    var sel = el('select');
    sel.id = 'protein-style';
    [['cartoon', 'cartoon'], ['surface', 'surface'], ['lines', 'lines'], ['atoms', 'atoms (crosses)'], ['hidden', 'hidden']].forEach(function (o) {
      var opt = el('option', '', o[1]);
      opt.value = o[0];
      sel.appendChild(opt);
    });
    sel.value = scene.proteinStyle;
    sel.addEventListener('change', function () { scene.setProteinStyle(sel.value); });
    wrap.appendChild(sel);
    return wrap;
  }

  function section(root, title, cls) {
    var s = el('section', cls);
    if (title) s.appendChild(el('h2', '', title));
    root.appendChild(s);
    return s;
  }

  /* The viewer, its controls and the volume table; returns {scene, panel}. */
  function volumeView(app, columns, note) {
    var left = section(app, null, 'view');
    var bar = el('div', 'toolbar');
    left.appendChild(bar);
    var box = el('div', 'viewer');
    box.id = 'viewer';
    left.appendChild(box);
    var scene = new Scene(box, function () {});
    var panel = new VolumePanel(left, columns, scene);
    bar.appendChild(panel.toggles);
    if (note) left.appendChild(el('p', 'note', note));
    var right = section(app, null, 'side');
    right.appendChild(el('h2', '', 'Volumes'));
    var wrap = el('div', 'table-wrap');
    wrap.appendChild(panel.table);
    right.appendChild(wrap);
    right.appendChild(el('h2', '', 'Volume by type'));
    right.appendChild(panel.chart);
    return { scene: scene, panel: panel, toolbar: bar };
  }

  /* ---- pages ------------------------------------------------------------------------------------ */

  function detailsLine(items) {
    var p = el('p', 'details');
    items.forEach(function (it, k) {
      if (k) p.appendChild(document.createTextNode(' \u00b7 '));
      p.appendChild(el('span', 'k', it[0] + ' '));
      p.appendChild(el('span', 'v', it[1]));
    });
    return p;
  }

  var FRAME_NOTE = {
    input: 'Coordinates in the input frame: those of the structure file (vox\'s aligned frame mapped back).',
    aligned: 'Coordinates in vox\'s aligned frame (principal axes), not the structure file\'s.'
  };

  function structurePage(d, app) {
    var header = document.querySelector('header');
    header.appendChild(detailsLine([['input', d.input], ['voxel', fmt(d.resolution, -1) + ' \u00c5'],
      ['atoms', fmt(d.protein.atoms.length, 0)], ['volumes', fmt(d.volumes.length, 0)], ['frame', d.frame],
      ['vox', d.version]]));
    var view = volumeView(app, d.columns, (FRAME_NOTE[d.frame] || '') + ' Each volume is drawn as spheres at ' +
      'the centres of its outer voxels; hubs ' + (d.include_hubs ? 'are' : 'are not') + ' listed.');
    view.toolbar.appendChild(proteinControl(view.scene));
    view.scene.load(d.protein, d.protein.xyz, d.volumes, d.resolution);
    view.toolbar.lastChild.querySelector('select').value = view.scene.proteinStyle;
    view.panel.show(d.volumes);
    window.voxReport = view;
  }

  var SERIES_COLOURS = ['#1f77b4', '#d62728', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f',
    '#bcbd22', '#17becf', '#393b79', '#ad494a'];

  /* Volume against time: one line per series, null where the series is absent. */
  function lineChart(root, xs, xlabel, series) {
    var W = 860, H = 300, L = 64, R = 16, T = 12, B = 40;
    var s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'chart', role: 'img' });
    var xmin = xs.length ? xs[0] : 0, xmax = xs.length ? xs[xs.length - 1] : 1, ymax = 0;
    series.forEach(function (se) { se.y.forEach(function (v) { if (v !== null && v > ymax) ymax = v; }); });
    if (xmax <= xmin) xmax = xmin + 1;
    if (ymax <= 0) ymax = 1;
    function X(x) { return L + (W - L - R) * (x - xmin) / (xmax - xmin); }
    function Y(y) { return H - B - (H - T - B) * y / ymax; }
    s.appendChild(svg('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis' }));
    s.appendChild(svg('line', { x1: L, y1: T, x2: L, y2: H - B, class: 'axis' }));
    for (var k = 0; k <= 4; k++) {
      var yv = ymax * k / 4, xv = xmin + (xmax - xmin) * k / 4;
      var ty = svg('text', { x: L - 6, y: Y(yv) + 4, class: 'tick', 'text-anchor': 'end' });
      ty.textContent = fmt(yv, 0);
      s.appendChild(ty);
      var tx = svg('text', { x: X(xv), y: H - B + 16, class: 'tick', 'text-anchor': 'middle' });
      tx.textContent = fmt(xv, xmax - xmin < 10 ? 1 : 0);
      s.appendChild(tx);
    }
    var xl = svg('text', { x: (L + W - R) / 2, y: H - 6, class: 'axis-label', 'text-anchor': 'middle' });
    xl.textContent = xlabel;
    s.appendChild(xl);
    var yl = svg('text', { x: 14, y: (T + H - B) / 2, class: 'axis-label', 'text-anchor': 'middle',
      transform: 'rotate(-90 14 ' + (T + H - B) / 2 + ')' });
    yl.textContent = 'volume (\u00c5\u00b3)';
    s.appendChild(yl);
    series.forEach(function (se, i) {
      var d = '', pen = false;
      for (var k = 0; k < xs.length; k++) {
        var v = se.y[k];
        if (v === null || v === undefined) { pen = false; continue; }
        d += (pen ? 'L' : 'M') + X(xs[k]).toFixed(1) + ' ' + Y(v).toFixed(1);
        pen = true;
      }
      var path = svg('path', { d: d || 'M0 0', class: 'series s' + (i % SERIES_COLOURS.length) });
      var t = svg('title', {});
      t.textContent = se.name;
      path.appendChild(t);
      s.appendChild(path);
    });
    root.appendChild(s);
    var legend = el('div', 'legend');
    series.forEach(function (se, i) {
      var item = el('span', 'legend-item');
      item.appendChild(el('span', 'swatch s' + (i % SERIES_COLOURS.length)));
      item.appendChild(document.createTextNode(se.name));
      legend.appendChild(item);
    });
    root.appendChild(legend);
  }

  function simpleTable(root, headings, rows, id) {
    var t = el('table', 'plain');
    if (id) t.id = id;
    var tr = el('tr');
    headings.forEach(function (h) { tr.appendChild(el('th', h[1] ? 'num' : '', h[0])); });
    var thead = el('thead');
    thead.appendChild(tr);
    t.appendChild(thead);
    var tb = el('tbody');
    rows.forEach(function (r) {
      var row = el('tr');
      r.forEach(function (v, k) { row.appendChild(el('td', headings[k][1] ? 'num' : '', v)); });
      tb.appendChild(row);
    });
    t.appendChild(tb);
    var wrap = el('div', 'table-wrap');
    wrap.appendChild(t);
    root.appendChild(wrap);
    return t;
  }

  function trajectoryPage(d, app) {
    var header = document.querySelector('header');
    header.appendChild(detailsLine([['topology', d.topology], ['trajectory', d.trajectory || '(the topology\'s models)'],
      ['frames', fmt(d.frames, 0)], ['align', d.align], ['voxel', fmt(d.resolution, -1) + ' \u00c5'], ['vox', d.version]]));
    var top = section(app, d.series.by === 'track' ? 'Volume of each track against time' : 'Volume of each type against time', 'wide');
    if (d.series.note) top.appendChild(el('p', 'note', d.series.note));
    lineChart(top, d.series.x, d.series.xlabel, d.series.sets);
    var pick = section(app, 'Frames in 3D', 'wide frame-pick');
    var sel = el('select');
    sel.id = 'frame';
    d.frames3d.forEach(function (f, i) {
      var o = el('option', '', 'frame ' + f.index + (f.time !== null ? ' (' + fmt(f.time, 1) + ' ps)' : '') + ' \u00b7 ' +
        f.volumes.length + (f.volumes.length === 1 ? ' volume' : ' volumes'));
      o.value = String(i);
      sel.appendChild(o);
    });
    var lab = el('label', '', 'frame ');
    lab.appendChild(sel);
    pick.appendChild(lab);
    pick.appendChild(el('p', 'note', d.frames_note));
    var view = volumeView(app, d.columns, FRAME_NOTE.input + ' ' + (d.frame_note || ''));
    view.toolbar.appendChild(proteinControl(view.scene));
    function showFrame(i) {
      var f = d.frames3d[i];
      if (!f) return;
      view.scene.load(d.protein, f.xyz, f.volumes, d.resolution);
      view.toolbar.lastChild.querySelector('select').value = view.scene.proteinStyle;
      view.panel.show(f.volumes);
    }
    sel.addEventListener('change', function () { showFrame(Number(sel.value)); });
    if (d.tracks && d.tracks.length) {
      var tr = section(app, 'Tracks', 'wide');
      simpleTable(tr, [['track', 1], ['types', 0], ['frames', 1], ['fraction', 1], ['first', 1], ['last', 1],
        ['mean (\u00c5\u00b3)', 1], ['sd', 1], ['min', 1], ['max', 1]], d.tracks.map(function (t) {
        return [t.id, t.types, fmt(t.frames, 0), fmt(t.fraction, 3), t.first, t.last, fmt(t.mean, 1),
          fmt(t.sd, 1), fmt(t.min, 1), fmt(t.max, 1)];
      }), 'tracks');
      if (d.tracks_note) tr.appendChild(el('p', 'note', d.tracks_note));
    }
    if (d.frames3d.length) showFrame(0);
    else markViews();
  }

  function indexPage(d, app) {
    var header = document.querySelector('header');
    var done = 0, failed = 0;
    d.structures.forEach(function (s) { if (s.status === 'done') done++; else if (s.status === 'failed') failed++; });
    header.appendChild(detailsLine([['structures', fmt(d.structures.length, 0)], ['done', fmt(done, 0)],
      ['failed', fmt(failed, 0)], ['trajectories', fmt(d.trajectories.length, 0)], ['vox', d.version]]));
    var sec = section(app, 'Structures', 'wide');
    var filter = el('input');
    filter.type = 'search';
    filter.placeholder = 'filter by label, status, type or path';
    filter.id = 'filter';
    sec.appendChild(filter);
    var cols = [['label', 'label', 0], ['status', 'status', 0], ['largest_type', 'largest type', 0],
      ['largest_volume', 'largest volume (\u00c5\u00b3)', 1], ['volumes', 'volumes', 1], ['hub', 'hubs', 1],
      ['pore', 'pores', 1], ['pocket', 'pockets', 1], ['cavity', 'cavities', 1], ['input', 'input', 0]];
    var table = el('table', 'plain index');
    table.id = 'structures';
    var thead = el('thead'), hr = el('tr');
    var order = { key: 'label', dir: 1 };
    /* A run of thousands of structures: the table holds one page of rows at a time (a browser takes
     * seconds to lay out tens of thousands of rows, on every sort and every key typed in the filter);
     * the filter and the sort work on all of them. */
    var PAGE_ROWS = 500, first = 0;
    cols.forEach(function (c) {
      var th = el('th', c[2] ? 'num sortable' : 'sortable', c[1]);
      th.tabIndex = 0;
      function sortBy() {
        order.dir = order.key === c[0] ? -order.dir : 1;
        order.key = c[0];
        first = 0;
        render();
      }
      th.addEventListener('click', sortBy);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sortBy(); });
      hr.appendChild(th);
    });
    thead.appendChild(hr);
    table.appendChild(thead);
    var tb = el('tbody');
    table.appendChild(tb);
    var wrap = el('div', 'table-wrap');
    wrap.appendChild(table);
    sec.appendChild(wrap);
    var pager = el('div', 'pager');
    pager.id = 'pager';
    var shown = el('span', 'pager-rows');
    var prev = el('button', '', '\u2039 previous'), next = el('button', '', 'next \u203a');
    prev.type = next.type = 'button';
    prev.id = 'pager-prev';
    next.id = 'pager-next';
    prev.addEventListener('click', function () { first = Math.max(0, first - PAGE_ROWS); render(); });
    next.addEventListener('click', function () { first += PAGE_ROWS; render(); });
    pager.appendChild(prev);
    pager.appendChild(shown);
    pager.appendChild(next);
    sec.appendChild(pager);
    function cell(s, c) {
      var td = el('td', c[2] ? 'num' : '');
      if (c[0] === 'label' && s.page) {
        var a = el('a', '', s.label);
        a.href = encodeURIComponent(s.href || s.label + '.html');
        td.appendChild(a);
      } else if (c[0] === 'largest_type' && s.largest_type) {
        td.appendChild(swatch(s.largest_type));
        td.appendChild(document.createTextNode(s.largest_type));
      } else if (c[0] === 'status') {
        td.appendChild(el('span', 'status ' + s.status, s.status));
        if (s.error) td.title = s.error;
      } else {
        td.textContent = c[0] === 'largest_volume' ? fmt(s[c[0]], 1) : (s[c[0]] === undefined || s[c[0]] === null ? '\u2013' : String(s[c[0]]));
      }
      return td;
    }
    function render() {
      var q = filter.value.toLowerCase();
      var list = d.structures.filter(function (s) {
        return !q || [s.label, s.status, s.largest_type, s.input, s.error].some(function (v) { return v && String(v).toLowerCase().indexOf(q) >= 0; });
      });
      list.sort(function (a, b) {
        var x = a[order.key], y = b[order.key];
        if (x === undefined || x === null) return 1;
        if (y === undefined || y === null) return -1;
        return (x < y ? -1 : x > y ? 1 : 0) * order.dir;
      });
      if (first >= list.length) first = Math.max(0, list.length - 1 - (list.length - 1) % PAGE_ROWS);
      var last = Math.min(list.length, first + PAGE_ROWS);
      var rows = document.createDocumentFragment();
      list.slice(first, last).forEach(function (s) {
        var tr = el('tr');
        cols.forEach(function (c) { tr.appendChild(cell(s, c)); });
        if (s.error) {
          tr.title = s.error;
        }
        rows.appendChild(tr);
      });
      while (tb.firstChild) tb.removeChild(tb.firstChild);
      tb.appendChild(rows);
      shown.textContent = list.length ? ' rows ' + fmt(first + 1, 0) + '\u2013' + fmt(last, 0) + ' of ' + fmt(list.length, 0) +
        (list.length < d.structures.length ? ' (filtered from ' + fmt(d.structures.length, 0) + ')' : '') + ' '
        : ' no rows' + (d.structures.length ? ' match the filter ' : ' ');
      prev.disabled = first === 0;
      next.disabled = last >= list.length;
      pager.hidden = list.length <= PAGE_ROWS;
    }
    filter.addEventListener('input', function () { first = 0; render(); });
    render();
    if (d.trajectories.length) {
      var ts = section(app, 'Trajectories', 'wide');
      var t = simpleTable(ts, [['label', 0], ['frames', 1], ['rows', 1], ['tracks', 1]], d.trajectories.map(function (r) {
        return [r.label, fmt(r.frames, 0), fmt(r.rows, 0), r.tracks === null ? '\u2013' : fmt(r.tracks, 0)];
      }), 'trajectories');
      d.trajectories.forEach(function (r, i) {
        if (!r.page) return;
        var td = t.tBodies[0].rows[i].cells[0];
        td.textContent = '';
        var a = el('a', '', r.label);
        a.href = encodeURIComponent(r.label) + '.trajectory.html';
        td.appendChild(a);
      });
    }
    markViews();
  }

  function start() {
    var node = document.getElementById('vox-data'), app = document.getElementById('app');
    var d, missing = document.getElementById('no-viewer');
    if (missing) missing.parentNode.removeChild(missing); // the script is here: that line no longer applies
    try {
      d = JSON.parse(node.textContent);
    } catch (e) {
      app.appendChild(el('p', 'error', 'The page data cannot be read: ' + e.message));
      throw e;
    }
    while (app.firstChild) app.removeChild(app.firstChild);
    if (d.kind === 'structure') structurePage(d, app);
    else if (d.kind === 'trajectory') trajectoryPage(d, app);
    else if (d.kind === 'index') indexPage(d, app);
    else app.appendChild(el('p', 'error', 'Unknown page kind.'));
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
