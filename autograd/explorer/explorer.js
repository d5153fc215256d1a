// The chainrule explorer: steps through a computation graph drawn by Graphviz and explains each
// gradient as the chain-rule sum over the node's consumers.
//
// The page embeds every node's data and every edge's local derivative (explorer-data), so the
// forward pass, the backward sweep and the sweep for any other output are all computed here.
// Every piece of text reaches the page through textContent or setAttribute, never as markup.
"use strict";

(() => {
  const DATA = JSON.parse(document.getElementById("explorer-data").textContent);
  const SPECIAL = { nan: NaN, inf: Infinity, "-inf": -Infinity };
  const num = (v) => (typeof v === "string" ? SPECIAL[v] : v);
  const SVG_NS = "http://www.w3.org/2000/svg";
  const PLAY_MS = 900;
  const MODES = ["forward", "backward"];

  const nodes = DATA.nodes.map((n) => ({
    label: n.label,
    scope: n.scope,
    op: n.op,
    data: num(n.data),
    parents: n.parents,
    local: n.local.map(num),
    constant: n.constant,
    seed: Boolean(n.seed),
    tangent: n.tangent === undefined ? null : num(n.tangent),
  }));
  const N = nodes.length;
  const ROOT = N - 1;
  // consumers[i]: every use of node i, as {c, k}: node c takes i as its operand k.
  const consumers = nodes.map(() => []);
  nodes.forEach((n, c) => n.parents.forEach((p, k) => consumers[p].push({ c, k })));

  // --- numbers -----------------------------------------------------------------------------

  function special(x) {
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    return null;
  }

  function exponentForm(mantissa, exponent) {
    const sign = exponent < 0 ? "-" : "+";
    return mantissa + "e" + sign + String(Math.abs(exponent)).padStart(2, "0");
  }

  // As Python's "%.4g", which the drawings use: four significant digits, trailing zeros dropped.
  function short(x) {
    const s = special(x);
    if (s) return s;
    if (x === 0) return Object.is(x, -0) ? "-0" : "0";
    const [mantissa, e] = x.toExponential(3).split("e");
    const exponent = Number(e);
    const strip = (t) => (t.includes(".") ? t.replace(/0+$/, "").replace(/\.$/, "") : t);
    if (exponent < -4 || exponent >= 4) return exponentForm(strip(mantissa), exponent);
    return strip(x.toFixed(3 - exponent));
  }

  // Four significant digits, always shown (1.000): the explanations' numbers.
  function precise(x) {
    const s = special(x);
    if (s) return s;
    const [mantissa, e] = x.toExponential(3).split("e");
    const exponent = Number(e);
    if (exponent < -4 || exponent >= 6) return exponentForm(mantissa, exponent);
    return x.toFixed(Math.max(0, 3 - exponent));
  }

  // --- names -------------------------------------------------------------------------------

  const INFIX = new Set(["+", "-", "*", "/", "**"]);
  const names = nodes.map(() => null);

  // How the text refers to a node: its label (with its scope when another node has the same
  // label), a constant's number, the expression that made it when its operands have names,
  // else what it is and its data, which the drawing shows: "[+ node, data -0.07510]".
  function nameOf(i) {
    if (names[i] !== null) return names[i];
    const n = nodes[i];
    let name;
    if (n.label) name = labelCount.get(n.label) > 1 && n.scope ? qualified(i) : n.label;
    else if (n.constant) name = short(n.data);
    else if (!n.parents.length) name = "[input, data " + short(n.data) + "]";
    else if (n.parents.every((p) => nodes[p].label || nodes[p].constant)) name = recipe(i, -1, "");
    else name = "[" + n.op + " node, data " + short(n.data) + "]";
    names[i] = name;
    return name;
  }

  const labelCount = new Map();
  for (const n of nodes) if (n.label) labelCount.set(n.label, (labelCount.get(n.label) || 0) + 1);

  function qualified(i) {
    const n = nodes[i];
    return n.scope && n.label ? n.scope + "." + n.label : n.label;
  }

  function resolve(label) {
    if (Number.isInteger(label)) {
      if (label >= 0 && label < N) return label;
      throw new RangeError("there is no node " + label + " (the graph has " + N + " nodes)");
    }
    if (typeof label !== "string") throw new TypeError("a node is named by its label, a string");
    const hits = [];
    nodes.forEach((n, i) => n.label === label && hits.push(i));
    if (hits.length === 1) return hits[0];
    const scoped = [];
    nodes.forEach((n, i) => qualified(i) === label && scoped.push(i));
    if (scoped.length === 1) return scoped[0];
    if (hits.length > 1) {
      throw new Error(
        hits.length + ' nodes are labelled "' + label + '"; name one with its scope: ' +
          hits.map(qualified).join(", ")
      );
    }
    throw new Error('no node is labelled "' + label + '"');
  }

  // --- the rule table ----------------------------------------------------------------------

  // The letters the explanations write, none of them a node's label: micrograd's own example
  // names its nodes a, b, c, ..., L, which must not be read as the rule table's operands a and b,
  // a consumer c or an output L.
  const LETTERS = (() => {
    const taken = new Set(labelCount.keys());
    const pick = (...candidates) => {
      const letter = candidates.find((l) => !taken.has(l)) || candidates[candidates.length - 1];
      taken.add(letter);
      return letter;
    };
    const output = pick("L", "F", "J", "Q");
    const node = pick("v", "z", "w", "h");
    const consumer = pick("c", "k", "m", "r");
    const pairs = [["a", "b"], ["p", "q"], ["u", "w"], ["g", "h"], ["α", "β"]];
    const operands = pairs.find((pair) => pair.every((l) => !taken.has(l))) || pairs[4];
    return { output, node, consumer, operands };
  })();

  // d(result)/d(operand k) as the rule table writes it: binary rules list both, comma-separated.
  // The table's operands a and b are written with LETTERS.operands.
  function partialFormula(op, k) {
    const rule = DATA.rules[op];
    const [a, b] = LETTERS.operands;
    const rename = (text) => text.replace(/\b[ab]\b/g, (l) => (l === "a" ? a : b));
    const parts = rule.formula.split(", ");
    const result = INFIX.has(op) ? "(" + a + " " + op + " " + b + ")" : op + "(" + a + ")";
    const formula = parts.length === rule.arity ? parts[k] : rule.formula;
    return "∂" + result + "/∂" + LETTERS.operands[k] + " = " + rename(formula);
  }

  // A name as one side of ∂x/∂y: bracketed when it is an expression, as the command names an
  // output ("∂(x*y + x)/∂x").
  function atom(name) {
    let depth = 0;
    for (const ch of name) {
      if (ch === "(" || ch === "[") depth += 1;
      else if (ch === ")" || ch === "]") depth -= 1;
      else if (depth === 0 && " +-*/".includes(ch)) return "(" + name + ")";
    }
    return name;
  }

  // Numbers added up, a negative one after the first in brackets: "3.000 + (-5.000)".
  function sumText(values) {
    return values.map((x, k) => (k > 0 && x < 0 ? "(" + precise(x) + ")" : precise(x))).join(" + ");
  }

  // --- the model: the sweeps for the chosen output -----------------------------------------

  // The forward pass's order: operations by depth (an operation comes once all of the
  // operations it uses are done, so a layer computes together), each leaf just before its first
  // use. Any topological order computes the same values; this one reads like a forward pass.
  function forwardOrder(inGraph, t) {
    const depth = new Int32Array(N);
    const operations = [];
    for (let i = 0; i < N; i++) {
      if (!inGraph[i] || !nodes[i].parents.length) continue;
      depth[i] = 1 + Math.max(...nodes[i].parents.map((p) => depth[p]));
      operations.push(i);
    }
    operations.sort((a, b) => depth[a] - depth[b] || a - b);
    const order = [];
    const placed = new Uint8Array(N);
    for (const i of operations) {
      for (const p of nodes[i].parents) {
        if (!placed[p]) {
          placed[p] = 1;
          order.push(p);
        }
      }
      placed[i] = 1;
      order.push(i);
    }
    if (!order.length) order.push(t); // the output is a leaf: nothing to compute
    return order;
  }

  function computeModel(t) {
    const inGraph = new Uint8Array(N);
    const stack = [t];
    inGraph[t] = 1;
    while (stack.length) {
      for (const p of nodes[stack.pop()].parents) {
        if (!inGraph[p]) {
          inGraph[p] = 1;
          stack.push(p);
        }
      }
    }
    const forward = forwardOrder(inGraph, t);
    const backward = [t];
    for (let i = t; i >= 0; i--) if (inGraph[i] && nodes[i].parents.length) backward.push(i);
    const expected = new Int32Array(N);
    for (let i = 0; i < N; i++) {
      if (inGraph[i]) for (const p of nodes[i].parents) expected[p] += 1;
    }
    // One snapshot per step: each node's grad so far and how many of its terms have arrived.
    const grad = new Float64Array(N);
    const got = new Int32Array(N);
    grad[t] = 1;
    const snaps = [{ grad: grad.slice(), got: got.slice() }];
    for (let s = 1; s < backward.length; s++) {
      const i = backward[s];
      nodes[i].parents.forEach((p, k) => {
        grad[p] += grad[i] * nodes[i].local[k];
        got[p] += 1;
      });
      snaps.push({ grad: grad.slice(), got: got.slice() });
    }
    const position = new Int32Array(N).fill(-1);
    forward.forEach((i, s) => (position[i] = s));
    return { t, inGraph, forward, backward, expected, snaps, final: grad, position };
  }

  // --- explanations ------------------------------------------------------------------------

  function dOutput(i) {
    return "∂" + atom(nameOf(model.t)) + "/∂" + atom(nameOf(i));
  }

  // A name short enough to write in a formula, else the letter given.
  const symbol = (i, letter) => {
    const name = nameOf(i);
    return name.startsWith("[") || name.length > 24 ? letter : atom(name);
  };
  const compact = (text) => text.replace(/ /g, "");

  // How c was computed from its operands, with node i written as v.
  function recipe(c, i, v) {
    const names = nodes[c].parents.map((p) => (p === i ? v : nameOf(p)));
    const op = nodes[c].op;
    if (INFIX.has(op)) return names[0] + " " + op + " " + names[1];
    if (op === "neg" || op === "pos") return (op === "neg" ? "-" : "+") + names[0];
    return op + "(" + names[0] + ")";
  }

  function explainText(i) {
    const m = model;
    const L = symbol(m.t, LETTERS.output);
    const v = symbol(i, LETTERS.node);
    const c = LETTERS.consumer;
    const [a, b] = LETTERS.operands;
    const where = [];
    if (L === LETTERS.output && L !== nameOf(m.t)) {
      where.push("  where " + L + " is the output, " + nameOf(m.t));
    }
    if (v === LETTERS.node && v !== nameOf(i)) where.push("  where " + v + " is " + nameOf(i));
    if (i === m.t) {
      const why = L + " is the output: the backward sweep starts here, with grad 1.";
      return ["∂" + L + "/∂" + L + " = 1", ...where, why].join("\n");
    }
    if (!m.inGraph[i]) {
      const why = L + " does not depend on " + v + ".";
      return ["∂" + L + "/∂" + v + " = 0", ...where, why].join("\n");
    }
    const uses = consumers[i].filter(({ c }) => m.inGraph[c]);
    const count = uses.length + (uses.length === 1 ? " term" : " terms");
    const lines = [
      "∂" + L + "/∂" + v + " = Σ over the consumers " + c + " of " + v + ": " +
        "∂" + L + "/∂" + c + " · ∂" + c + "/∂" + v + " (" + count + ")",
      ...where,
    ];
    const terms = [];
    for (const { c: user, k } of uses) {
      const upstream = m.final[user];
      const local = nodes[user].local[k];
      terms.push(upstream * local);
      const made = recipe(user, i, v);
      const named = symbol(user, "") && compact(nameOf(user)) !== compact(made);
      const cName = named ? nameOf(user) + " = " : "";
      const operands = nodes[user].parents.map(
        (p, j) => [a, b][j] + " = " + (p === i ? v : nameOf(p))
      );
      lines.push(
        "  " + c + " = " + cName + made + ": " + partialFormula(nodes[user].op, k) +
          ", with " + operands.join(", ")
      );
      lines.push(
        "    ∂" + L + "/∂" + c + " · ∂" + c + "/∂" + v + " = " + precise(upstream) + " × " +
          precise(local) + " = " + precise(upstream * local)
      );
    }
    const sum = terms.length > 1 ? sumText(terms) + " = " : "";
    lines.push("∂" + L + "/∂" + v + " = " + sum + precise(m.final[i]));
    return lines.join("\n");
  }

  function forwardCaption(i) {
    const n = nodes[i];
    const name = nameOf(i);
    let text;
    if (!n.parents.length) {
      const kind = n.constant ? "a constant" : "a leaf (an input or a parameter)";
      text = name + " is " + kind + ": data = " + precise(n.data) + ".";
    } else {
      const values = n.parents.map((p) => precise(nodes[p].data));
      const shown = INFIX.has(n.op) ? values.join(" " + n.op + " ") : n.op + "(" + values + ")";
      const made = recipe(i, -1, "");
      const named = made === name ? name : name + " = " + made;
      text = named + " = " + shown + " = " + precise(n.data) + ".";
    }
    if (DATA.tangents) {
      if (!n.parents.length) {
        const seeded = n.seed ? " (seeded)." : " (not seeded).";
        text += " Its tangent is " + precise(n.tangent) + seeded;
      } else {
        const terms = n.parents.map(
          (p, k) => precise(n.local[k]) + " × " + precise(nodes[p].tangent)
        );
        text += "\nTangent: Σ over the operands of local derivative × operand's tangent = " +
          terms.join(" + ") + " = " + precise(n.tangent) + ".";
      }
    }
    return text;
  }

  function progress(arrived, expected) {
    if (arrived < expected) return "(" + arrived + " of its " + expected + " terms so far)";
    return expected === 1 ? "(its only term: complete)" : "(all " + expected + " terms: complete)";
  }

  function backwardCaption(s) {
    const m = model;
    const i = m.backward[s];
    if (s === 0) {
      return "The sweep starts at the output " + nameOf(i) + ": its grad is ∂" + nameOf(i) +
        "/∂" + nameOf(i) + " = 1.";
    }
    const before = m.snaps[s - 1];
    const g = before.grad[i];
    const lines = [
      nameOf(i) + "'s grad " + precise(g) + " is complete. Its " + nodes[i].op +
        " sends grad × local derivative to each operand:",
    ];
    const running = new Map();
    nodes[i].parents.forEach((p, k) => {
      const share = g * nodes[i].local[k];
      const previous = running.has(p) ? running.get(p) : before.grad[p];
      const next = previous + share;
      running.set(p, next);
      const uses = nodes[i].parents.slice(0, k + 1).filter((q) => q === p).length;
      const arrived = before.got[p] + uses;
      lines.push(
        "  to " + nameOf(p) + ": " + precise(g) + " × " + precise(nodes[i].local[k]) + " = " +
          precise(share) + ", so its grad is " + sumText([previous, share]) +
          " = " + precise(next) + " " + progress(arrived, m.expected[p])
      );
    });
    return lines.join("\n");
  }

  // --- the drawings ------------------------------------------------------------------------
  //
  // The detail view draws every node; large graphs also get an overview, each neuron one box.
  // Each view is looked up once, while everything is visible, so boxes can be measured.

  function svgElement(name, attributes, parent) {
    const el = document.createElementNS(SVG_NS, name);
    for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, String(value));
    if (parent) parent.appendChild(el);
    return el;
  }

  function makeView(container) {
    const svg = container.querySelector("svg");
    const view = {
      name: container.dataset.view,
      container,
      svg,
      graphGroup: svg.querySelector("g.graph"),
      valueGroup: new Array(N).fill(null),
      opGroup: new Array(N).fill(null),
      inEdge: nodes.map(() => []),
      edges: [],
      labelBox: new Map(),
      boxes: new Map(), // in the overview: a neuron's output -> its cluster id
      covers: [], // in the detail view: the neurons that can be collapsed in place
      badges: svgElement("g", { class: "badges" }),
      natural: { width: svg.viewBox.baseVal.width, height: svg.viewBox.baseVal.height },
    };
    svg.querySelectorAll("g[data-node]").forEach((g) => {
      const i = Number(g.dataset.node);
      (g.dataset.kind === "op" ? view.opGroup : view.valueGroup)[i] = g;
      if (g.dataset.box && g.dataset.kind === "value") view.boxes.set(i, g.dataset.box);
    });
    view.boxed = new Set(view.boxes.values()); // the ids of the neurons drawn as boxes
    // Where the nodes are, for the badges to keep off.
    view.obstacles = [...svg.querySelectorAll("g[data-node]")].map((g) => g.getBBox());
    view.texts = [...svg.querySelectorAll("g[data-node] text")].map((t) => t.getBBox());
    // The drawing's extent: Graphviz's background polygon (text can reach beyond it).
    const background = view.graphGroup.querySelector(":scope > polygon");
    view.bounds = (background || view.graphGroup).getBBox();
    view.gradText = view.valueGroup.map((g) => (g ? g.querySelector("text.grad") : null));
    // Each data cell's texts and what they say: "data ?" stands in until the node is computed.
    view.dataText = view.valueGroup.map((g) => {
      const texts = g ? [...g.querySelectorAll("text.data")] : [];
      return texts.map((text) => ({ text, shown: text.textContent }));
    });
    svg.querySelectorAll("g.edge").forEach((g) => {
      const from = Number(g.dataset.from);
      const to = Number(g.dataset.to);
      const result = Boolean(g.dataset.result);
      if (!result && !view.boxes.has(to)) view.inEdge[to][Number(g.dataset.k)] = g;
      view.edges.push({ g, from, to, result });
      const label = g.querySelector("text.edge-label");
      if (label) view.labelBox.set(g, label.getBBox());
    });
    if (view.name === "detail") {
      for (const c of DATA.clusters) {
        const group = svg.querySelector('g[data-cluster="' + c.id + '"]');
        if (c.neuron && group) {
          const members = new Set(c.members);
          view.covers.push({ ...c, members, box: group.getBBox(), cover: null });
        }
      }
    }
    return view;
  }

  const container = document.getElementById("graph");
  // The views by name: "detail", "overview", and "open:ID" for the drawing with neuron
  // cluster ID open among the other neurons' boxes.
  const views = {};
  for (const el of document.querySelectorAll("#graph .view")) {
    const made = makeView(el);
    if (el.dataset.open) {
      const cluster = DATA.clusters.find((c) => c.id === el.dataset.open);
      made.name = "neuron " + cluster.scope;
      views["open:" + cluster.id] = made;
    } else views[el.dataset.view] = made;
  }
  let view = views.overview || views.detail;
  for (const v of Object.values(views)) v.container.hidden = v !== view;
  // clusterOf[i]: the neuron cluster that node i is drawn inside in the overview.
  const clusterOf = new Array(N).fill(null);
  for (const c of DATA.clusters) if (c.neuron) for (const i of c.members) clusterOf[i] = c;

  // What travels along an edge this step ("0.6347 × -2 = -1.269"), written in a badge by the
  // edge's label. A badge is wider than the label Graphviz made room for, so it goes to the
  // nearest spot along the edge, or above or below it, where it covers no node and no other
  // badge (placed: those of this step), with a line back to the label when it had to move.
  function badge(edge, text, placed) {
    const box = view.labelBox.get(edge);
    if (!edge || !box) return;
    const g = svgElement("g", { class: "badge" }, view.badges);
    const label = svgElement("text", { "text-anchor": "middle" }, g);
    label.textContent = text;
    const width = label.getComputedTextLength() + 10;
    const height = 18;
    const anchor = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    const spot = freeSpot(edge, anchor, width, height, placed);
    if (Math.hypot(spot.x - anchor.x, spot.y - anchor.y) > height / 2) {
      const line = { x1: anchor.x, y1: anchor.y, x2: spot.x, y2: spot.y, class: "leader" };
      g.insertBefore(svgElement("line", line), label);
    }
    const rect = { x: spot.x - width / 2, y: spot.y - height / 2, width, height };
    g.insertBefore(svgElement("rect", { ...rect, rx: 4 }), label);
    label.setAttribute("x", String(spot.x));
    label.setAttribute("y", String(spot.y + 4));
    placed.push(rect);
    travel(edge);
  }

  const overlap = (a, b) =>
    Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) *
    Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));

  // Near the label, along the edge, or a few rows above or below: a spot inside the drawing
  // where the badge hides no text and no other badge, and as little of any node as can be.
  function freeSpot(edge, anchor, width, height, placed) {
    const path = edge.querySelector("path");
    const bases = [anchor];
    if (path && path.getTotalLength) {
      const length = path.getTotalLength();
      for (const f of [0.5, 0.35, 0.65, 0.2, 0.8]) {
        bases.push(path.getPointAtLength(f * length));
      }
    }
    const bounds = view.bounds;
    let best = anchor;
    let bestScore = Infinity;
    for (const base of bases) {
      for (let row = -3; row <= 3; row++) {
        const p = { x: base.x, y: base.y + row * (height + 4) };
        const rect = {
          x: p.x - width / 2 - 2,
          y: p.y - height / 2 - 2,
          width: width + 4,
          height: height + 4,
        };
        const inside = rect.x >= bounds.x && rect.y >= bounds.y &&
          rect.x + rect.width <= bounds.x + bounds.width &&
          rect.y + rect.height <= bounds.y + bounds.height;
        const hides = (b) => overlap(rect, b) > 0;
        if (!inside || view.texts.some(hides) || placed.some(hides)) continue;
        const covered = view.obstacles.reduce((sum, b) => sum + overlap(rect, b), 0);
        const score = Math.hypot(p.x - anchor.x, p.y - anchor.y) + covered / 20;
        if (score < bestScore) {
          best = p;
          bestScore = score;
        }
      }
    }
    return best; // with nowhere free nearby, on the label, as Graphviz placed it
  }

  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  // A dot that runs back along the edge, from the operation to the operand: the share travelling.
  function travel(edge) {
    const path = edge.querySelector("path");
    if (reducedMotion || !path || !path.getTotalLength) return;
    const length = path.getTotalLength();
    const dot = svgElement("circle", { r: 5, class: "traveller" }, view.badges);
    const start = performance.now();
    const frame = (now) => {
      const f = Math.min(1, (now - start) / 600);
      const point = path.getPointAtLength(length * (1 - f));
      dot.setAttribute("cx", point.x);
      dot.setAttribute("cy", point.y);
      if (f < 1 && dot.isConnected) requestAnimationFrame(frame);
      else dot.remove();
    };
    requestAnimationFrame(frame);
  }

  // --- neurons collapsed in place, in the detail view --------------------------------------

  function cover(cluster) {
    if (cluster.cover) return;
    const { x, y, width, height } = cluster.box;
    const g = svgElement("g", { class: "collapsed", tabindex: "0", role: "button" });
    svgElement("rect", { x, y, width, height, rx: 8 }, g);
    const size = Math.max(11, Math.min(28, height / 7, width / 16));
    const lines = [cluster.scope, "", "", "▸ click to expand"];
    cluster.texts = lines.map((line, row) => {
      const attributes = {
        x: x + width / 2,
        y: y + height / 2 + (row - 1.2) * size * 1.3,
        "text-anchor": "middle",
        "font-size": size,
        class: ["scope", "numbers", "numbers", "hint"][row],
      };
      const text = svgElement("text", attributes, g);
      text.textContent = line;
      return text;
    });
    g.addEventListener("click", (event) => {
      event.stopPropagation();
      uncover(cluster);
    });
    g.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        event.stopPropagation();
        uncover(cluster);
      }
    });
    hoverable(g, cluster.output);
    views.detail.graphGroup.appendChild(g);
    cluster.cover = g;
    hideMembers(cluster, true);
  }

  function uncover(cluster) {
    if (!cluster.cover) return;
    cluster.cover.remove();
    cluster.cover = null;
    hideMembers(cluster, false);
    render();
  }

  function hideMembers(cluster, hidden) {
    const detail = views.detail;
    for (const i of cluster.members) {
      for (const g of [detail.valueGroup[i], detail.opGroup[i]]) {
        if (g) g.classList.toggle("in-collapsed", hidden);
      }
    }
    for (const { g, from, to } of detail.edges) {
      const inside = cluster.members.has(from) && cluster.members.has(to);
      if (inside) g.classList.toggle("in-collapsed", hidden);
    }
  }

  // Open the neuron cluster id: its own drawing, the others boxes, when the page has one; else
  // the detail view with every other neuron collapsed in place. With no id, open every neuron.
  // The window then scrolls to the opened neuron's output, which takes the focus.
  function expand(id) {
    const opened = views["open:" + id];
    if (opened) showView(opened);
    else {
      const detail = views.detail;
      for (const c of detail.covers) (id === undefined || c.id === id ? uncover : cover)(c);
      showView(detail);
    }
    const cluster = DATA.clusters.find((c) => c.id === id);
    const output = cluster ? view.valueGroup[cluster.output] : null;
    if (output) {
      output.scrollIntoView({ block: "center", inline: "center" });
      output.focus({ preventScroll: true });
    }
  }

  function showView(next) {
    if (next === view) return render();
    view.badges.remove();
    view = next;
    for (const v of Object.values(views)) v.container.hidden = v !== view;
    badgeKey = null;
    setZoom(Math.max(0.6, fit()));
    render();
  }

  // --- state and rendering -----------------------------------------------------------------

  let model = computeModel(ROOT);
  let mode = "forward";
  let stepIndex = 0;
  let pinned = null; // the node clicked (its explanation stays)
  let hovered = null;
  let timer = null;
  let badgeKey = null;

  const $ = (id) => document.getElementById(id);
  const ui = {
    previous: $("previous"),
    next: $("next"),
    play: $("play"),
    slider: $("slider"),
    counter: $("counter"),
    caption: $("caption"),
    explainTitle: $("explain-title"),
    explainText: $("explain-text"),
    makeOutput: $("make-output"),
    resetOutput: $("reset-output"),
    toggleClusters: $("toggle-clusters"),
    outputName: $("output-name"),
  };

  function stepCount(m) {
    return m === "forward" ? model.forward.length : model.backward.length;
  }

  function gradState(i) {
    // What a node's grad cell shows now: [text, class].
    const m = model;
    if (mode === "forward") {
      if (DATA.tangents && m.position[i] >= 0 && m.position[i] <= stepIndex) {
        return ["tangent " + short(nodes[i].tangent), special(nodes[i].tangent) ? "nonfinite" : ""];
      }
      return [DATA.tangents ? "tangent ?" : "grad ?", "pending"];
    }
    if (!m.inGraph[i]) return ["grad 0", "outside"];
    const snap = m.snaps[stepIndex];
    if (i !== m.t && snap.got[i] === 0) return ["grad ?", "pending"];
    const g = snap.grad[i];
    const complete = i === m.t || snap.got[i] === m.expected[i];
    return ["grad " + short(g), special(g) ? "nonfinite" : complete ? "" : "partial"];
  }

  function render() {
    const m = model;
    const v = view;
    const current = mode === "forward" ? m.forward[stepIndex] : m.backward[stepIndex];
    const focus = hovered !== null ? hovered : pinned;
    const path = focus === null ? null : pathToOutput(focus);
    // In the overview, a step inside a neuron lights up the neuron's box.
    const inBox = (i) => (clusterOf[i] && v.boxed.has(clusterOf[i].id) ? clusterOf[i].output : i);
    const currentShown = inBox(current);
    for (let i = 0; i < N; i++) {
      const g = v.valueGroup[i];
      if (!g) continue;
      const outside = !m.inGraph[i];
      // A box whose neuron the current step is inside is lit, not pending.
      const pending =
        mode === "forward" && !outside && m.position[i] > stepIndex && i !== currentShown;
      v.dataText[i].forEach(({ text: cell, shown }, k) => {
        cell.textContent = pending && k === 0 ? "data ?" : shown;
        cell.style.visibility = pending && k > 0 ? "hidden" : "";
      });
      const [text, kind] = gradState(i);
      fitText(v.gradText[i], text);
      v.gradText[i].setAttribute("class", "grad " + kind);
      for (const el of [g, v.opGroup[i]]) {
        if (!el) continue;
        el.classList.toggle("is-outside", outside);
        el.classList.toggle("is-pending", pending);
        el.classList.toggle("is-current", i === currentShown);
        const ownOperation = el === v.opGroup[i] && i === focus;
        el.classList.toggle("is-path", Boolean(path && path.has(i)) && !ownOperation);
      }
      g.classList.toggle("is-focus", i === focus);
      g.classList.toggle("nonfinite-grad", kind === "nonfinite");
      const role = i === m.t ? " (the output)" : "";
      const what = v.boxes.has(i) ? clusterOf[i].scope + ", whose output has" : nameOf(i) + ":";
      const action = v.boxes.has(i) ? "; press Enter to expand it" : "";
      const numbers = " data " + short(nodes[i].data) + ", " + text;
      g.setAttribute("aria-label", what + numbers + role + action);
    }
    for (const { g, from, to, result } of v.edges) {
      const outside = !m.inGraph[to];
      g.classList.toggle("is-outside", outside);
      const pending = mode === "forward" && !outside && m.position[to] > stepIndex;
      g.classList.toggle("is-pending", pending);
      const onPath = path && path.has(to) && (result ? to !== focus : path.has(from));
      g.classList.toggle("is-path", Boolean(onPath));
      const carrying = mode === "backward" ? stepIndex > 0 : DATA.tangents;
      g.classList.toggle("is-carrying", to === current && !result && carrying);
    }
    // The badges are redrawn (and their dots sent travelling) only when the step changes.
    const key = [mode, stepIndex, m.t].join(" ");
    if (key !== badgeKey) {
      drawBadges(current);
      reveal(v.valueGroup[currentShown]);
    }
    badgeKey = key;
    renderCovers(current);
    v.graphGroup.appendChild(v.badges); // above everything, the collapsed neurons included
    const last = stepCount(mode) - 1;
    ui.slider.max = String(last);
    ui.slider.value = String(stepIndex);
    ui.slider.setAttribute("aria-valuetext", "Step " + stepIndex + " of " + last);
    const name = mode === "forward" ? "Forward" : "Backward";
    ui.counter.textContent = name + " step " + stepIndex + " of " + last;
    ui.previous.disabled = stepIndex === 0;
    ui.next.disabled = stepIndex === last;
    const caption = mode === "forward" ? forwardCaption(current) : backwardCaption(stepIndex);
    ui.caption.textContent = caption;
    $("mode-" + mode).checked = true;
    if (views.overview) {
      ui.toggleClusters.hidden = false;
      const overview = view === views.overview;
      ui.toggleClusters.textContent = overview ? "Expand all neurons" : "Collapse all neurons";
    }
    showExplanation();
  }

  // A grad cell is drawn wide enough for the sweep from the original output; a longer number
  // (another output's) is narrowed to fit rather than spill over the node's border.
  function fitText(text, content) {
    text.textContent = content;
    const room = Number(text.dataset.width);
    if (content.length * 11 * 0.62 > room) {
      text.setAttribute("textLength", String(room));
      text.setAttribute("lengthAdjust", "spacingAndGlyphs");
    } else text.removeAttribute("textLength");
  }

  // Scroll the graph (not the page) just enough that the node of the current step is in view.
  function reveal(el) {
    if (!el) return;
    const box = el.getBoundingClientRect();
    const frame = container.getBoundingClientRect();
    const margin = 24;
    if (box.right > frame.right - margin) container.scrollLeft += box.right - frame.right + margin;
    else if (box.left < frame.left + margin) container.scrollLeft -= frame.left + margin - box.left;
    if (box.bottom > frame.bottom - margin) {
      container.scrollTop += box.bottom - frame.bottom + margin;
    }
    else if (box.top < frame.top + margin) container.scrollTop -= frame.top + margin - box.top;
  }

  function drawBadges(current) {
    view.badges.replaceChildren();
    const placed = [];
    const n = nodes[current];
    const edges = view.inEdge[current];
    if (mode === "backward" && stepIndex > 0) {
      const g = model.snaps[stepIndex - 1].grad[current];
      n.parents.forEach((p, k) => {
        const share = short(g) + " × " + short(n.local[k]) + " = " + short(g * n.local[k]);
        badge(edges[k], share, placed);
      });
    } else if (mode === "forward" && DATA.tangents) {
      n.parents.forEach((p, k) => {
        const t = nodes[p].tangent;
        const term = short(n.local[k]) + " × " + short(t) + " = " + short(n.local[k] * t);
        badge(edges[k], term, placed);
      });
    }
  }

  function renderCovers(current) {
    const m = model;
    for (const cluster of view.covers) {
      if (!cluster.cover) continue;
      const o = cluster.output;
      const shown = mode === "backward" || !(m.position[o] > stepIndex);
      cluster.texts[1].textContent = "output: data " + (shown ? short(nodes[o].data) : "?");
      cluster.texts[2].textContent = gradState(o)[0];
      cluster.cover.classList.toggle("is-current", cluster.members.has(current));
      cluster.cover.classList.toggle("is-outside", !m.inGraph[o]);
      const numbers = cluster.texts[1].textContent + ", " + cluster.texts[2].textContent;
      cluster.cover.setAttribute("aria-label", "Expand " + cluster.scope + " (" + numbers + ")");
    }
  }

  // The nodes on some path from i to the output: those that depend on i and the output on.
  function pathToOutput(i) {
    const on = new Set();
    if (!model.inGraph[i]) return on;
    const stack = [i];
    on.add(i);
    while (stack.length) {
      for (const { c } of consumers[stack.pop()]) {
        if (model.inGraph[c] && !on.has(c)) {
          on.add(c);
          stack.push(c);
        }
      }
    }
    return on;
  }

  function showExplanation() {
    const focus = hovered !== null ? hovered : pinned;
    if (focus === null) {
      ui.explainTitle.textContent = "Why is a grad what it is?";
      ui.explainText.textContent =
        "Hover over or click a node (or Tab to it) to see its gradient with respect to " +
        nameOf(model.t) + " as the chain-rule sum over the nodes that use it, with the numbers.";
    } else {
      ui.explainTitle.textContent = dOutput(focus) + " = " + precise(model.final[focus]);
      ui.explainText.textContent = explainText(focus) + sweepProgress(focus);
    }
    const target = pinned;
    ui.makeOutput.disabled = target === null || target === model.t;
    const name = target === null ? "this" : nameOf(target);
    ui.makeOutput.textContent = "Make " + name + " the output";
  }

  // While the backward sweep is under way, what the node's grad cell holds so far.
  function sweepProgress(i) {
    const m = model;
    if (mode !== "backward" || !m.inGraph[i] || i === m.t) return "";
    const got = m.snaps[stepIndex].got[i];
    if (got === m.expected[i]) return "";
    const now = "\n\n(At this step of the sweep ";
    if (got === 0) return now + "no term has arrived yet: the grad cell shows ?.)";
    const sum = precise(m.snaps[stepIndex].grad[i]);
    return now + got + " of the " + m.expected[i] + " terms have arrived: " +
      "the grad cell shows " + sum + " so far.)";
  }

  function go(k) {
    const last = stepCount(mode) - 1;
    stepIndex = Math.max(0, Math.min(last, k));
    render();
  }

  function checkMode(m) {
    if (!MODES.includes(m)) {
      throw new Error('mode must be "forward" or "backward", got ' + JSON.stringify(m));
    }
  }

  function setMode(m) {
    checkMode(m);
    mode = m;
    stepIndex = 0;
    render();
  }

  function chooseOutput(i) {
    model = computeModel(i);
    stepIndex = Math.min(stepIndex, stepCount(mode) - 1);
    ui.outputName.textContent = nameOf(i) + " = " + short(nodes[i].data);
    ui.resetOutput.hidden = i === ROOT;
    render();
  }

  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    ui.play.textContent = "▶ Play";
    ui.play.setAttribute("aria-label", "Play");
    ui.play.setAttribute("aria-pressed", "false");
  }

  function togglePlay() {
    if (timer !== null) return stop();
    if (stepIndex === stepCount(mode) - 1) go(0);
    timer = setInterval(() => {
      if (stepIndex >= stepCount(mode) - 1) stop();
      else go(stepIndex + 1);
    }, PLAY_MS);
    ui.play.textContent = "⏸ Pause";
    ui.play.setAttribute("aria-label", "Pause");
    ui.play.setAttribute("aria-pressed", "true");
  }

  // --- events ------------------------------------------------------------------------------

  function hoverable(el, i) {
    el.addEventListener("mouseenter", () => {
      hovered = i;
      render();
    });
    el.addEventListener("mouseleave", () => {
      hovered = null;
      render();
    });
    el.addEventListener("focus", () => {
      pinned = i;
      render();
    });
  }

  function activate(v, i) {
    if (v.boxes.has(i)) expand(v.boxes.get(i));
    else {
      pinned = i;
      render();
    }
  }

  for (const v of Object.values(views)) {
    for (let i = 0; i < N; i++) {
      for (const g of [v.valueGroup[i], v.opGroup[i]]) {
        if (!g) continue;
        hoverable(g, i);
        g.addEventListener("click", (event) => {
          event.stopPropagation();
          activate(v, i);
        });
        g.addEventListener("keydown", (event) => {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            event.stopPropagation();
            activate(v, i);
          }
        });
      }
      // Every value node (and box) can be reached with Tab; an operation goes with its result.
      if (v.valueGroup[i]) {
        v.valueGroup[i].setAttribute("tabindex", "0");
        v.valueGroup[i].setAttribute("role", "button");
      }
    }
    // A click on the background lets go of the pinned node.
    v.svg.addEventListener("click", () => {
      pinned = null;
      render();
    });
  }

  ui.previous.addEventListener("click", () => {
    stop();
    go(stepIndex - 1);
  });
  ui.next.addEventListener("click", () => {
    stop();
    go(stepIndex + 1);
  });
  ui.play.addEventListener("click", togglePlay);
  ui.slider.addEventListener("input", () => {
    stop();
    go(Number(ui.slider.value));
  });
  for (const m of MODES) {
    $("mode-" + m).addEventListener("change", () => {
      stop();
      setMode(m);
    });
  }
  ui.makeOutput.addEventListener("click", () => {
    if (pinned !== null) chooseOutput(pinned);
  });
  ui.resetOutput.addEventListener("click", () => chooseOutput(ROOT));
  ui.toggleClusters.addEventListener("click", () => {
    if (view === views.overview) expand();
    else showView(views.overview);
  });

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    const moving = target instanceof HTMLInputElement && ["range", "radio"].includes(target.type);
    if (moving && event.key.startsWith("Arrow")) return; // the slider and radios move themselves
    switch (event.key) {
      case "ArrowRight":
        stop();
        go(stepIndex + 1);
        break;
      case "ArrowLeft":
        stop();
        go(stepIndex - 1);
        break;
      case "Home":
        stop();
        go(0);
        break;
      case "End":
        stop();
        go(stepCount(mode) - 1);
        break;
      case "p":
      case "P":
        togglePlay();
        break;
      case "f":
      case "F":
        stop();
        setMode("forward");
        break;
      case "b":
      case "B":
        stop();
        setMode("backward");
        break;
      case "Escape":
        pinned = null;
        hovered = null;
        render();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  // --- zoom --------------------------------------------------------------------------------

  let zoom = 1;
  function setZoom(z) {
    zoom = Math.max(0.1, Math.min(4, z));
    view.svg.setAttribute("width", String(view.natural.width * zoom * (4 / 3)));
    view.svg.setAttribute("height", String(view.natural.height * zoom * (4 / 3)));
  }
  function fit() {
    return Math.min(1.25, (container.clientWidth - 4) / (view.natural.width * (4 / 3)));
  }
  $("zoom-in").addEventListener("click", () => setZoom(zoom * 1.25));
  $("zoom-out").addEventListener("click", () => setZoom(zoom / 1.25));
  $("zoom-fit").addEventListener("click", () => setZoom(fit()));

  // --- start -------------------------------------------------------------------------------

  document.getElementById("guide-overview").hidden = !views.overview;
  setZoom(Math.max(0.6, fit())); // the whole width, when that leaves the text readable
  render();

  window.explorer = {
    steps(m) {
      checkMode(m);
      return stepCount(m);
    },
    setMode(m) {
      stop();
      setMode(m);
    },
    step(k) {
      const last = stepCount(mode) - 1;
      if (!Number.isInteger(k) || k < 0 || k > last) {
        throw new RangeError("step must be a whole number from 0 to " + last + ", got " + k);
      }
      stop();
      go(k);
    },
    explain: (label) => explainText(resolve(label)),
    setOutput: (label) => chooseOutput(resolve(label)),
    grad: (label) => model.final[resolve(label)],
    mode: () => mode,
    current: () => stepIndex,
    caption: () => ui.caption.textContent,
    view: () => view.name,
  };
})();
