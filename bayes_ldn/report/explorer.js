/* bayes_ldn prior explorer, part 3 of 3 (after explorer_normal.js and explorer_plot.js): plain
 * JavaScript, no library, no network.
 *
 * Reads the JSON in the script element "explorer-data", draws the controls' results into the page and
 * keeps the state in the URL fragment  #explore=SPEC&prior=normal:MEAN,SD&mcid=M[&rope=R]
 * [&conversion=NAME][&strength=S][&ci=P]  (prior also "flat", "vague" or a preset name such as
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

  var N = window.bayesLdnNormal, ndtr = N.ndtr, ndtri = N.ndtri, formatG = N.formatG;
  var formatProbability = N.formatProbability;

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
    // Any other probability uses ndtri (explorer_normal.js).
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

  var el = {};

  function byId(id) { return document.getElementById(id); }

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
    window.bayesLdnPlot.draw(el.plot, res, state);
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
    erfc: N.erfc, ndtr: ndtr, ndtri: ndtri, formatG: formatG, formatProbability: formatProbability,
    compute: compute, parseFragment: parseFragment, toFragment: toFragment, applyFragment: applyFragment,
    state: function () { return current; }
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
