/* bayes_ldn prior explorer, part 1 of 3: the normal distribution to double precision and
 * Python's printed formats ("{:.3g}", bayes_ldn.stats.format_probability). No library, no request.
 * The browser tests check ndtr and ndtri against SciPy and the formats against Python.
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

  /**
   * format(v, ".{f}f") as Python prints it. Both round the exact binary value; they may differ only
   * on an exact tie (a value such as 2.125, exactly representable, at 2 decimals), which Python
   * rounds to the even digit and JavaScript engines do not agree on (V8: 2.125 -> "2.13" but
   * 1.0625 -> "1.06"): ties are rounded here from the exact decimal expansion.
   */
  function toFixedPython(v, f) {
    var s = v.toFixed(f);
    if (!(Math.abs(v) < 1e21)) { return s; }
    var exact = Math.abs(v).toFixed(100), dot = exact.indexOf(".");
    if (!/^50*$/.test(exact.slice(dot + 1 + f))) { return s; }
    var digits = (f ? exact.slice(0, dot + 1 + f) : exact.slice(0, dot)).split("");
    if (Number(digits[digits.length - 1]) % 2) {  // odd last digit: add one unit in the last place
      var i = digits.length - 1;
      for (; i >= 0; i -= 1) {
        if (digits[i] === ".") { continue; }
        if (digits[i] !== "9") { digits[i] = String(Number(digits[i]) + 1); break; }
        digits[i] = "0";
      }
      if (i < 0) { digits.unshift("1"); }
    }
    return (v < 0 ? "-" : "") + digits.join("");
  }

  /** format(v, ".{digits}g") as Python prints it (exact ties as Python in fixed notation). */
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
    return stripZeros(toFixedPython(v, digits - 1 - exp));
  }

  /** bayes_ldn.stats.format_probability: a probability never prints as exactly one or zero. */
  function formatProbability(p, digits) {
    digits = digits || 3;
    if (!isFinite(p)) { return "NA"; }
    var step = Math.pow(10, -digits), text = toFixedPython(p, digits), r = Number(text);
    if (r >= 1) { return ">" + (1 - step).toFixed(digits); }
    if (r <= 0) { return "<" + step.toFixed(digits); }
    return text;
  }

  window.bayesLdnNormal = {
    erfc: erfc, ndtr: ndtr, ndtri: ndtri, normPdf: normPdf, formatG: formatG,
    formatProbability: formatProbability
  };
}());
