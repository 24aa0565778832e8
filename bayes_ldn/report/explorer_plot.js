/* bayes_ldn prior explorer, part 2 of 3: the inline SVG of the prior, likelihood and posterior
 * densities on the printed scale, with 0, the MCID, the ROPE and the credible interval.
 */
(function () {
  "use strict";

  var N = window.bayesLdnNormal, normPdf = N.normPdf, formatG = N.formatG;
  var SVGNS = "http://www.w3.org/2000/svg";
  var W = 640, H = 250, ML = 46, MR = 14, MT = 24, MB = 44;

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVGNS, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function niceTicks(lo, hi, n) {
    var span = hi - lo, step = Math.pow(10, Math.floor(Math.log10(span / n)));
    var err = span / n / step;
    if (err >= 7.5) { step *= 10; } else if (err >= 3.5) { step *= 5; } else if (err >= 1.5) { step *= 2; }
    var out = [], t = Math.ceil(lo / step) * step;
    for (; t <= hi + step * 1e-9; t += step) { out.push(Math.abs(t) < step * 1e-9 ? 0 : t); }
    return out;
  }

  /** Draw the densities of a computed result (explorer.js's compute) into the svg element. */
  function draw(plot, res, state) {
    var spec = res.spec, sign = spec.sign;
    while (plot.firstChild) { plot.removeChild(plot.firstChild); }
    plot.appendChild(svg("title", { id: "ex-plot-title" },
      "Prior, likelihood and posterior densities for " + spec.title));
    var lik = { m: sign * res.conversion.estimate, s: res.conversion.se };
    var post = { m: res.mean, s: res.sd };
    var prior = res.prior.family === "flat" ? null : { m: sign * res.prior.mu, s: res.prior.sigma };
    var lo = Math.min(lik.m - 4 * lik.s, post.m - 4 * post.s, 0);
    var hi = Math.max(lik.m + 4 * lik.s, post.m + 4 * post.s, 0);
    if (isFinite(state.mcid) && state.mcid > 0) {
      lo = Math.min(lo, sign * state.mcid); hi = Math.max(hi, sign * state.mcid);
    }
    var pad = (hi - lo) * 0.03; lo -= pad; hi += pad;
    var n = 241, xs = [], i;
    for (i = 0; i < n; i += 1) { xs.push(lo + (hi - lo) * i / (n - 1)); }
    var curves = [
      { name: "prior", d: prior, colour: "#7f7f7f", dash: "6 4" },
      { name: "likelihood", d: lik, colour: "#1f77b4", dash: "" },
      { name: "posterior", d: post, colour: "#d62728", dash: "" }
    ];
    var ymax = 0;
    curves.forEach(function (c) {
      if (!c.d) { return; }
      c.ys = xs.map(function (x) { return normPdf(x, c.d.m, c.d.s); });
      if (c.name !== "prior") { ymax = Math.max(ymax, Math.max.apply(null, c.ys)); }
    });
    // A prior much narrower than the data is cut at the top rather than flattening the others.
    curves[0].ys = curves[0].ys && curves[0].ys.map(function (y) { return Math.min(y, ymax * 1.05); });
    plot.setAttribute("data-x-range", [lo, hi, ML, W - MR].join(" "));
    var px = function (x) { return ML + (x - lo) / (hi - lo) * (W - ML - MR); };
    var py = function (y) { return H - MB - y / (ymax * 1.05) * (H - MB - MT); };
    if (isFinite(state.rope) && state.rope > 0) {
      plot.appendChild(svg("rect", { x: px(Math.max(lo, -state.rope)), y: MT,
        width: Math.max(0, px(Math.min(hi, state.rope)) - px(Math.max(lo, -state.rope))),
        height: H - MB - MT, fill: "#eeeeee" }));
      plot.appendChild(svg("text", { x: px(0) + 3, y: H - MB - 8, "font-size": 10, fill: "#777" }, "ROPE"));
    }
    plot.appendChild(svg("line", { x1: ML, x2: W - MR, y1: H - MB, y2: H - MB, stroke: "#444" }));
    niceTicks(lo, hi, 6).forEach(function (t) {
      plot.appendChild(svg("line", { x1: px(t), x2: px(t), y1: H - MB, y2: H - MB + 4, stroke: "#444" }));
      plot.appendChild(svg("text", { x: px(t), y: H - MB + 15, "text-anchor": "middle", "font-size": 11 },
        formatG(t, 4)));
    });
    plot.appendChild(svg("text", { x: (ML + W - MR) / 2, y: H - 6, "text-anchor": "middle", "font-size": 12 },
      "LDN minus placebo (" + spec.units + (spec.scale === "log" ? ", log ratio" : "") + ")   " + spec.arrow));
    plot.appendChild(svg("line", { x1: px(0), x2: px(0), y1: MT, y2: H - MB, stroke: "#444" }));
    if (isFinite(state.mcid) && state.mcid > 0) {
      var xm = px(sign * state.mcid);
      plot.appendChild(svg("line", { x1: xm, x2: xm, y1: MT, y2: H - MB, stroke: "#2ca02c", "stroke-dasharray": "3 3" }));
      plot.appendChild(svg("text", { x: xm + 3, y: MT + 10, "font-size": 11, fill: "#2ca02c" }, "MCID"));
    }
    curves.forEach(function (c) {
      if (!c.ys) { return; }
      var d = c.ys.map(function (y, j) { return (j ? "L" : "M") + px(xs[j]).toFixed(1) + " " + py(y).toFixed(1); });
      var attrs = { d: d.join(""), fill: "none", stroke: c.colour, "stroke-width": 2, "data-curve": c.name };
      if (c.dash) { attrs["stroke-dasharray"] = c.dash; }
      plot.appendChild(svg("path", attrs));
    });
    var yb = H - MB - 6;
    plot.appendChild(svg("line", { x1: px(res.lower), x2: px(res.upper), y1: yb, y2: yb, stroke: "#d62728",
      "stroke-width": 4, "data-curve": "interval" }));
    var legend = [["posterior", "#d62728", ""], ["likelihood", "#1f77b4", ""],
      [prior ? "prior" : "prior: flat (not drawn)", "#7f7f7f", "6 4"]];
    legend.forEach(function (l, j) {
      var x0 = ML + 8 + j * 150;
      plot.appendChild(svg("line", { x1: x0, x2: x0 + 22, y1: 12, y2: 12, stroke: l[1], "stroke-width": 2,
        "stroke-dasharray": l[2] }));
      plot.appendChild(svg("text", { x: x0 + 27, y: 16, "font-size": 11 }, l[0]));
    });
  }

  window.bayesLdnPlot = { draw: draw };
}());
