/* bayes_ldn prior explorer: plain JavaScript, no library, no network.
 *
 * Reads the JSON in the script element "explorer-data", draws the controls' results into the page and
 * keeps the state in the URL fragment  #explore=SPEC&prior=normal:MEAN,SD&mcid=M[&rope=R]
 * [&conversion=NAME][&strength=S]  (prior also "flat", "vague" or a preset name such as
 * "skeptical_moderate").  Every number is the closed form bayes_ldn.exact uses for a normal
 * likelihood and a normal or flat prior (bayes_ldn.stats.conjugate_normal):
 *
 *   posterior precision  1/v = 1/s0^2 + 1/s^2,   mean = v (m0/s0^2 + y/s^2)   (flat: N(y, s^2))
 *
 * on the aligned scale (positive = LDN better), mapped to the printed scale by the sign that
 * bayes_ldn.data.records.align_sign gives.  Printed formats copy Python's: "{:.3g}" for
 * locations and bayes_ldn.stats.format_probability for probabilities.
 */
(function () {
  "use strict";

  // ---- the normal distribution to double precision -------------------------------------------
  var SQRT_PI = Math.sqrt(Math.PI);
  var SQRT_2PI = Math.sqrt(2 * Math.PI);

  // erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)), x >= 0: every term is
  // positive, so there is no cancellation (Abramowitz & Stegun 7.1.6).
  function erfSeries(x) {
    var term = x, sum = x, x2 = 2 * x * x, n = 0;
    while (term > sum * 1e-17 && n < 500) {
      n += 1;
      term *= x2 / (2 * n + 1);
      sum += term;
    }
    return (2 / SQRT_PI) * Math.exp(-x * x) * sum;
  }

  // erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), x > 0
  // (A&S 7.1.14), evaluated by the modified Lentz algorithm.
  function erfcFraction(x) {
    var tiny = 1e-300, f = x, c = x, d = 0, k, a, delta;
    for (k = 1; k < 2000; k += 1) {
      a = k / 2;
      d = x + a * d;
      if (d === 0) { d = tiny; }
      d = 1 / d;
      c = x + a / c;
      if (c === 0) { c = tiny; }
      delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) { break; }
    }
    return expNegSquare(x) / SQRT_PI / f;
  }

  // exp(-x^2) without the rounding error of x*x: x = m + f with m on a 1/128 grid, so m*m is
  // exact and only the small 2mf + f^2 carries rounding (as Cephes' expx2).
  function expNegSquare(x) {
    var m = Math.round(x * 128) / 128, f = x - m;
    return Math.exp(-m * m) * Math.exp(-(2 * m * f + f * f));
  }

  /** Complementary error function; relative error a few ulp (checked against SciPy). */
  function erfc(x) {
    if (isNaN(x)) { return NaN; }
    if (x < 0) { return 2 - erfc(-x); }
    // Below 0.75 erfc > 0.28, so 1 - erf loses under two bits; above, the fraction converges
    // in under 400 terms (57 at x = 2).
    if (x < 0.75) { return 1 - erfSeries(x); }
    if (x > 27.3) { return 0; }
    return erfcFraction(x);
  }

  /** Standard normal CDF, from the tail that keeps precision (as SciPy's ndtr). */
  function ndtr(z) {
    if (isNaN(z)) { return NaN; }
    var t = z / Math.SQRT2;
    if (Math.abs(t) < Math.SQRT1_2) { return 0.5 + 0.5 * (t < 0 ? -1 : 1) * erfSeries(Math.abs(t)); }
    return z < 0 ? 0.5 * erfc(-t) : 1 - 0.5 * erfc(t);
  }

  // Acklam's rational approximation of the normal quantile (relative error < 1.2e-9), then two
  // Halley steps on ndtr, which bring it to the precision of ndtr itself.
  var A = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
    1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
  var B = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
    6.680131188771972e+01, -1.328068155288572e+01];
  var C = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
    -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
  var D = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
    3.754408661907416e+00];

  function acklam(p) {
    var q, r;
    if (p < 0.02425) {
      q = Math.sqrt(-2 * Math.log(p));
      return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
        ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
    }
    q = p - 0.5;
    r = q * q;
    return (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q /
      (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  }

  /** Standard normal quantile; p > 0.5 by the exact reflection 1 - p (Sterbenz). */
  function ndtri(p) {
    if (isNaN(p) || p < 0 || p > 1) { return NaN; }
    if (p === 0) { return -Infinity; }
    if (p === 1) { return Infinity; }
    if (p > 0.5) { return -ndtri(1 - p); }
    var x = acklam(p), i, e, u;
    for (i = 0; i < 2; i += 1) {
      e = ndtr(x) - p;
      u = e * SQRT_2PI * Math.exp(x * x / 2);
      x = x - u / (1 + x * u / 2);
    }
    return x;
  }

  function normPdf(x, m, s) {
    var z = (x - m) / s;
    return Math.exp(-0.5 * z * z) / (s * SQRT_2PI);
  }

  // ---- Python's printed formats --------------------------------------------------------------

  function stripZeros(s) {
    if (s.indexOf(".") < 0) { return s; }
    s = s.replace(/0+$/, "");
    return s.replace(/\.$/, "");
  }

  /** format(v, ".{digits}g") as Python prints it. */
  function formatG(v, digits) {
    if (isNaN(v)) { return "nan"; }
    if (!isFinite(v)) { return v > 0 ? "inf" : "-inf"; }
    if (v === 0) { return 1 / v < 0 ? "-0" : "0"; }
    var parts = v.toExponential(digits - 1).split("e");
    var exp = parseInt(parts[1], 10);
    if (exp < -4 || exp >= digits) {
      var a = Math.abs(exp);
      return stripZeros(parts[0]) + "e" + (exp < 0 ? "-" : "+") + (a < 10 ? "0" : "") + a;
    }
    return stripZeros(v.toFixed(digits - 1 - exp));
  }

  /** bayes_ldn.stats.format_probability: a probability never prints as exactly one or zero. */
  function formatProbability(p, digits) {
    digits = digits || 3;
    if (!isFinite(p)) { return "NA"; }
    var step = Math.pow(10, -digits), r = Number(p.toFixed(digits));
    if (r >= 1) { return ">" + (1 - step).toFixed(digits); }
    if (r <= 0) { return "<" + step.toFixed(digits); }
    return p.toFixed(digits);
  }

  // ---- the model -----------------------------------------------------------------------------

  var DATA = null;
  var PRESETS = ["skeptical", "enthusiastic", "pessimistic"];

  function specById(id) {
    for (var i = 0; i < DATA.specs.length; i += 1) {
      if (DATA.specs[i].id === id) { return DATA.specs[i]; }
    }
    return null;
  }

  function conversionOf(spec, name) {
    for (var i = 0; i < spec.conversions.length; i += 1) {
      if (spec.conversions[i].name === name) { return spec.conversions[i]; }
    }
    return null;
  }

  /** The aligned prior {family, mu, sigma} of a state, or an error message. */
  function alignedPrior(state, spec) {
    var p = state.prior;
    if (p.kind === "flat") { return { family: "flat" }; }
    if (p.kind === "normal") {
      if (!(isFinite(p.mean) && isFinite(p.sd) && p.sd > 0)) {
        return { error: "the prior needs a finite mean and a positive SD" };
      }
      // Given on the printed scale, as `bayes-ldn posterior --prior normal:MEAN,SD`.
      return { family: "normal", mu: spec.sign * p.mean, sigma: p.sd };
    }
    if (!(isFinite(state.mcid) && state.mcid > 0)) {
      return { error: "the " + p.kind + " prior is anchored on the MCID: give a positive MCID" };
    }
    var z = DATA.strength_z[p.strength];  // scipy.stats.norm.isf(tail), as bayes_ldn.priors uses
    if (z === undefined) { return { error: "unknown strength " + p.strength }; }
    var mu = p.kind === "skeptical" ? 0 : (p.kind === "enthusiastic" ? state.mcid : -state.mcid);
    return { family: "normal", mu: mu, sigma: state.mcid / z };
  }

  function likelihoodText(spec, conv) {
    return "Normal(" + formatG(spec.sign * conv.estimate, 4) + ", " + formatG(conv.se, 4) + ")";
  }

  /**
   * Every number the explorer shows, for a state: the same closed forms as
   * bayes_ldn.exact.exact_posterior and bayes_ldn.summaries.decision_row_exact.
   */
  function compute(state) {
    var spec = specById(state.spec);
    if (!spec) { return { error: "no result named " + state.spec + " in this report" }; }
    var conv = conversionOf(spec, state.conversion) || spec.conversions[0];
    var prior = alignedPrior(state, spec);
    if (prior.error) { return { error: prior.error, spec: spec, conversion: conv }; }
    var y = conv.estimate, s = conv.se, mean, sd;
    if (prior.family === "flat") {
      mean = y; sd = s;
    } else {
      var w0 = 1 / (prior.sigma * prior.sigma), w1 = 1 / (s * s);
      mean = (w0 * prior.mu + w1 * y) / (w0 + w1);
      sd = Math.sqrt(1 / (w0 + w1));
    }
    if (!(state.ci > 0 && state.ci < 1)) { return { error: "the interval probability must lie between 0 and 1", spec: spec, conversion: conv }; }
    // At the report's interval probability the quantiles are SciPy's own (carried in the data),
    // so the interval is the decision table's arithmetic operation for operation: a published
    // interval reproduced under the flat prior (say -14.15, a rounding tie) prints the same.
    // Any other probability uses ndtri above.
    var a = (1 - state.ci) / 2;
    var z = state.ci === DATA.ci_prob ? DATA.z_interval : [ndtri(a), ndtri(1 - a)];
    var lo = mean + sd * z[0], hi = mean + sd * z[1];
    var sign = spec.sign;
    var cdf = function (x) { return ndtr((x - mean) / sd); };
    var sf = function (x) { return ndtr(-(x - mean) / sd); };
    var out = {
      spec: spec, conversion: conv, prior: prior,
      mean: sign * mean, sd: sd, median: sign * mean,
      lower: Math.min(sign * lo, sign * hi), upper: Math.max(sign * lo, sign * hi),
      prob_better: sf(0), prob_harm: cdf(0),
      prob_better_than_mcid: (isFinite(state.mcid) && state.mcid > 0) ? sf(state.mcid) : NaN,
      prob_rope: (isFinite(state.rope) && state.rope > 0) ? cdf(state.rope) - cdf(-state.rope) : NaN
    };
    out.text = {
      interval: formatG(out.median, 3) + " (" + formatG(out.lower, 3) + " to " + formatG(out.upper, 3) + ")",
      prob_better: formatProbability(out.prob_better),
      prob_better_than_mcid: isNaN(out.prob_better_than_mcid) ? "\u2013" : formatProbability(out.prob_better_than_mcid),
      prob_rope: isNaN(out.prob_rope) ? "\u2013" : formatProbability(out.prob_rope),
      prob_harm: formatProbability(out.prob_harm),
      posterior: "Normal(" + formatG(out.mean, 4) + ", " + formatG(sd, 4) + ")",
      likelihood: likelihoodText(spec, conv),
      // "+ 0" turns the -0 of a flipped zero into 0, so a centred prior never prints "-0".
      prior: prior.family === "flat" ? "Flat" :
        "Normal(" + formatG(sign * prior.mu + 0, 4) + ", " + formatG(prior.sigma, 4) + ")",
      prior_aligned: prior.family === "flat" ? "Flat" :
        "Normal(" + formatG(prior.mu, 4) + ", " + formatG(prior.sigma, 4) + ")"
    };
    return out;
  }

  // ---- the fragment --------------------------------------------------------------------------

  function defaultState(spec) {
    return {
      spec: spec.id, conversion: spec.conversions[0].name,
      prior: { kind: "flat", strength: "moderate", mean: 0, sd: 1 },
      mcid: spec.mcid.length ? spec.mcid[0] : NaN,
      rope: spec.rope === null ? NaN : spec.rope,
      ci: DATA.ci_prob
    };
  }

  /** Parse "#explore=SPEC&prior=...&mcid=M"; returns {state} or {error}, or null if not ours. */
  function parseFragment(hash) {
    var text = (hash || "").replace(/^#/, "");
    if (text.indexOf("explore=") !== 0) { return null; }
    var kv = {}, problems = [];
    try {
      text.split("&").forEach(function (pair) {
        var i = pair.indexOf("=");
        if (i > 0) { kv[decodeURIComponent(pair.slice(0, i))] = decodeURIComponent(pair.slice(i + 1)); }
      });
    } catch (err) {  // a malformed %-escape
      return { error: "the link is malformed (" + err.message + ")" };
    }
    var spec = specById(kv.explore);
    if (!spec) { return { error: "this report has no result named \u201c" + kv.explore + "\u201d" }; }
    var state = defaultState(spec);
    if (kv.conversion !== undefined) {
      if (conversionOf(spec, kv.conversion)) { state.conversion = kv.conversion; } else {
        problems.push("conversion \u201c" + kv.conversion + "\u201d is not one of this result's (" +
          spec.conversions.map(function (c) { return c.name; }).join(", ") + ")");
      }
    }
    ["mcid", "rope"].forEach(function (key) {
      if (kv[key] === undefined) { return; }
      var v = kv[key] === "" || kv[key] === "none" ? NaN : Number(kv[key]);
      if (kv[key] !== "" && kv[key] !== "none" && !(isFinite(v) && v > 0)) {
        problems.push(key + " must be a positive number, got \u201c" + kv[key] + "\u201d");
      } else { state[key] = v; }
    });
    if (kv.ci !== undefined) {
      var ci = Number(kv.ci);
      if (ci > 0 && ci < 1) { state.ci = ci; } else { problems.push("ci must lie between 0 and 1, got \u201c" + kv.ci + "\u201d"); }
    }
    if (kv.strength !== undefined) {
      if (DATA.strengths[kv.strength] === undefined) {
        problems.push("strength must be one of " + Object.keys(DATA.strengths).join(", "));
      } else { state.prior.strength = kv.strength; }
    }
    var prior = kv.prior === undefined ? "flat" : kv.prior;
    var m = /^normal:([^,]+),([^,]+)$/.exec(prior);
    var base = prior.split("_")[0], strength = prior.split("_")[1];
    if (prior === "flat" || prior === "vague") {
      state.prior.kind = "flat";
    } else if (m) {
      var mean = Number(m[1]), sd = Number(m[2]);
      if (isFinite(mean) && isFinite(sd) && sd > 0) {
        state.prior.kind = "normal"; state.prior.mean = mean; state.prior.sd = sd;
      } else { problems.push("write the prior as normal:MEAN,SD with a positive SD, got \u201c" + prior + "\u201d"); }
    } else if (PRESETS.indexOf(base) >= 0 && (strength === undefined || DATA.strengths[strength] !== undefined)) {
      state.prior.kind = base;
      if (strength !== undefined) { state.prior.strength = strength; }
    } else if (/^t:/.test(prior)) {
      problems.push("Student-t priors need quadrature and are not offered here; their rows are in " +
        "the result's decision table (bayes-ldn posterior --prior " + prior + " computes any)");
    } else {
      problems.push("unknown prior \u201c" + prior + "\u201d: use flat, normal:MEAN,SD or one of " +
        PRESETS.join(", ") + " (optionally _weak, _moderate or _strong)");
    }
    return { state: state, problems: problems };
  }

  function numberText(v) { return isFinite(v) ? String(v) : "none"; }

  /** The fragment that reproduces a state (the inverse of parseFragment). */
  function toFragment(state) {
    var spec = specById(state.spec), p = state.prior, prior;
    if (p.kind === "flat") { prior = "flat"; } else if (p.kind === "normal") {
      prior = "normal:" + p.mean + "," + p.sd;
    } else { prior = p.kind + "_" + p.strength; }
    var parts = ["explore=" + state.spec, "prior=" + prior, "mcid=" + numberText(state.mcid)];
    var ropeDefault = spec && spec.rope !== null ? spec.rope : NaN;
    if (!(state.rope === ropeDefault || (isNaN(state.rope) && isNaN(ropeDefault)))) {
      parts.push("rope=" + numberText(state.rope));
    }
    if (spec && state.conversion !== spec.conversions[0].name) { parts.push("conversion=" + state.conversion); }
    if (state.ci !== DATA.ci_prob) { parts.push("ci=" + state.ci); }
    return "#" + parts.join("&");
  }

  // ---- the page ------------------------------------------------------------------------------

  var SVGNS = "http://www.w3.org/2000/svg";
  var W = 640, H = 250, ML = 46, MR = 14, MT = 24, MB = 44;
  var el = {};

  function byId(id) { return document.getElementById(id); }

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

  function draw(res, state) {
    var plot = el.plot, spec = res.spec, sign = spec.sign;
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

  function setText(key, text) {
    var node = document.querySelector('[data-out="' + key + '"]');
    if (node) { node.textContent = text; }
  }

  var current = null;

  function fillControls(state) {
    var spec = specById(state.spec);
    el.spec.value = state.spec;
    el.conversion.innerHTML = "";
    spec.conversions.forEach(function (c) {
      var o = document.createElement("option");
      o.value = c.name; o.textContent = c.name;
      el.conversion.appendChild(o);
    });
    el.conversion.value = state.conversion;
    // Arrow keys move the prior and thresholds by a step fitted to the result's scale: half a
    // unit of the decade below its SE (0.05 kPa for FINAL CPM, 0.5 points for Bested FIQR).
    var se = (conversionOf(spec, state.conversion) || spec.conversions[0]).se;
    var step = String(5 * Math.pow(10, Math.floor(Math.log10(se)) - 1));
    ["mean", "sd", "mcid", "rope"].forEach(function (k) { el[k].setAttribute("step", step); });
    el.prior.value = state.prior.kind;
    el.strength.value = state.prior.strength;
    el.mcid.value = isFinite(state.mcid) ? String(state.mcid) : "";
    el.rope.value = isFinite(state.rope) ? String(state.rope) : "";
    el.ci.value = String(state.ci);
    if (state.prior.kind === "normal") {
      el.mean.value = String(state.prior.mean);
      el.sd.value = String(state.prior.sd);
    }
  }

  function render(state, problems) {
    current = state;
    var res = compute(state);
    var spec = specById(state.spec);
    el.units.forEach(function (u) { u.textContent = spec.units + (spec.scale === "log" ? ", log scale" : ""); });
    var isPreset = PRESETS.indexOf(state.prior.kind) >= 0;
    el.strength.disabled = !isPreset;
    el.mean.readOnly = isPreset; el.sd.readOnly = isPreset;
    el.mean.disabled = state.prior.kind === "flat"; el.sd.disabled = state.prior.kind === "flat";
    var msgs = (problems || []).slice();
    if (res.error) { msgs.push(res.error); }
    el.message.textContent = msgs.length ? "Not applied: " + msgs.join("; ") + "." : "";
    el.message.hidden = !msgs.length;
    setText("title", spec.title);
    setText("evidence", spec.evidence.join(" + ") + (spec.verified ? " (verified)" : " (unverified)"));
    el.evidence.className = "tag " + (spec.verified ? "verified" : "unverified");
    setText("as_printed", spec.as_printed);
    setText("better", spec.better + " is better (" + spec.arrow + ")");
    var conv = res.conversion;
    setText("conversion", conv.name);
    setText("conversion_note", conv.note);
    setText("likelihood", likelihoodText(spec, conv));  // it does not depend on the prior
    setText("mcid_basis", spec.mcid_basis);
    setText("ci", isFinite(state.ci) ? formatG(100 * state.ci, 4) : "?");
    if (res.error) {
      ["prior", "prior_aligned", "posterior", "interval", "prob_better", "prob_better_than_mcid",
        "prob_rope", "prob_harm"].forEach(function (k) { setText(k, "\u2013"); });
      while (el.plot.firstChild) { el.plot.removeChild(el.plot.firstChild); }
      return;
    }
    if (isPreset) {
      el.mean.value = formatG(spec.sign * res.prior.mu + 0, 4);
      el.sd.value = formatG(res.prior.sigma, 4);
    }
    ["prior", "prior_aligned", "posterior", "interval", "prob_better", "prob_better_than_mcid",
      "prob_rope", "prob_harm"].forEach(function (k) { setText(k, res.text[k]); });
    var frag = toFragment(state);
    el.link.setAttribute("href", frag);
    el.link.textContent = frag;
    draw(res, state);
    el.root.setAttribute("data-state", frag);
  }

  function readControls() {
    var state = {
      spec: el.spec.value, conversion: el.conversion.value,
      prior: { kind: el.prior.value, strength: el.strength.value, mean: Number(el.mean.value),
        sd: Number(el.sd.value) },
      mcid: el.mcid.value === "" ? NaN : Number(el.mcid.value),
      rope: el.rope.value === "" ? NaN : Number(el.rope.value),
      ci: el.ci.value === "" ? NaN : Number(el.ci.value)
    };
    // From a preset to "normal" the inputs still show the preset's numbers: the normal prior
    // starts from them.
    return state;
  }

  function writeFragment(state) {
    var frag = toFragment(state);
    if (window.location.hash !== frag && window.history && window.history.replaceState) {
      window.history.replaceState(null, "", frag);
    }
  }

  function onControl(event) {
    var state;
    if (event.target === el.spec) {
      state = defaultState(specById(el.spec.value));
      var prior = readControls().prior;
      state.prior = prior;
      fillControls(state);
    } else {
      state = readControls();
    }
    render(state, []);
    writeFragment(state);
  }

  /** Apply a fragment (from the address bar or a link); returns false if it is not ours. */
  function applyFragment(hash, scroll) {
    var parsed = parseFragment(hash);
    if (parsed === null) { return false; }
    if (parsed.error) {
      el.message.textContent = "Not applied: " + parsed.error + ".";
      el.message.hidden = false;
    } else {
      fillControls(parsed.state);
      render(parsed.state, parsed.problems);
    }
    if (scroll) { el.root.scrollIntoView(); }
    return true;
  }

  function init() {
    var data = byId("explorer-data");
    if (!data) { return; }
    DATA = JSON.parse(data.textContent);
    el.root = byId("explorer-app");
    ["spec", "conversion", "prior", "strength", "mean", "sd", "mcid", "rope", "ci", "plot", "link", "message"]
      .forEach(function (k) { el[k] = byId("ex-" + k); });
    el.evidence = document.querySelector('[data-out="evidence"]');
    el.units = Array.prototype.slice.call(document.querySelectorAll("[data-units]"));
    DATA.specs.forEach(function (s) {
      var o = document.createElement("option");
      o.value = s.id; o.textContent = s.id + ": " + s.title;
      el.spec.appendChild(o);
    });
    ["spec", "conversion", "prior", "strength", "mean", "sd", "mcid", "rope", "ci"].forEach(function (k) {
      el[k].addEventListener(el[k].tagName === "INPUT" ? "input" : "change",
        onControl);
    });
    window.addEventListener("hashchange", function () { applyFragment(window.location.hash, true); });
    if (!applyFragment(window.location.hash, true)) {
      var state = defaultState(DATA.specs[0]);
      fillControls(state);
      render(state, []);
    }
    el.root.setAttribute("data-ready-ms", String(Math.round(window.performance ? performance.now() : 0)));
    el.root.setAttribute("data-ready", "true");
  }

  window.bayesLdnExplorer = {
    erfc: erfc, ndtr: ndtr, ndtri: ndtri, formatG: formatG, formatProbability: formatProbability,
    compute: compute, parseFragment: parseFragment, toFragment: toFragment, applyFragment: applyFragment,
    state: function () { return current; }
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
