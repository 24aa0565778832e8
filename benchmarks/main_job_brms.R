# The brms side of benchmarks/main_job_vs_brms.py: the posteriors of `bayes-ldn reanalyze`, fitted
# the way a competent brms user would (each Stan program compiled once, then refitted on new data).
#
# Usage: Rscript main_job_brms.R INPUT_DIR OUTPUT_DIR CACHE_DIR WORKERS CORES_PER_FIT
#
# INPUT_DIR (written by main_job_vs_brms.py from the same bundled records and specs):
#   fits.csv  one row per distinct decision fit: fit, y, se (aligned scale, positive = better),
#             pf (0 flat, 1 normal, 2 Student-t), pmu, psig, pnu
#   rows.csv  one row per decisions.csv row: row, fit, mcid, rope (NA when absent)
#   hier.csv  the hierarchical analyses, long: analysis, mu_normal, mu_m, mu_s, tau_scale, group, y, se
# CACHE_DIR holds the compiled models (brm(file = ...)); empty = cold run (compile), filled = warm.
# WORKERS > 1 forks that many processes over the fits (parallel::mclapply); CORES_PER_FIT is
# rstan's `cores` inside one fit (its chains in parallel, a PSOCK cluster started per fit).
# Output: OUTPUT_DIR/brms_summaries.csv and OUTPUT_DIR/timing.csv (seconds per phase).

t_start <- Sys.time()
suppressMessages(library(brms))
args <- commandArgs(trailingOnly = TRUE)
in_dir <- args[1]; out_dir <- args[2]; cache <- args[3]
workers <- as.integer(args[4]); cores <- as.integer(args[5])
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
dir.create(cache, showWarnings = FALSE, recursive = TRUE)
timing <- list(load = as.numeric(difftime(Sys.time(), t_start, units = "secs")))
CHAINS <- 4; ITER <- 2000; WARMUP <- 1000

# Prior parameters are data (stanvars), so every prior of a family shares one compiled program.
# Decision model: flat, normal or Student-t prior on the effect, chosen by the data flag `pf`.
dec_stanvars <- function(pf, pmu, psig, pnu) {
  stanvar(x = as.integer(pf), name = "pf", scode = "int pf;") + stanvar(x = pmu, name = "pmu") +
    stanvar(x = psig, name = "psig") + stanvar(x = pnu, name = "pnu") +
    stanvar(block = "model", scode = paste(
      "if (pf == 1) target += normal_lpdf(Intercept | pmu, psig);",
      "  else if (pf == 2) target += student_t_lpdf(Intercept | pnu, pmu, psig);", sep = "\n"))
}
dec_prior <- set_prior("", class = "Intercept")  # flat unless the stanvars block adds a prior

# Random-effects model: mu flat or normal (flag), tau ~ half-normal(tau_scale) (brms bounds sd at 0).
hier_stanvars <- function(mu_normal, mu_m, mu_s, tau_scale) {
  stanvar(x = as.integer(mu_normal), name = "mu_normal", scode = "int mu_normal;") +
    stanvar(x = mu_m, name = "mu_m") + stanvar(x = mu_s, name = "mu_s") +
    stanvar(x = tau_scale, name = "tau_scale") +
    stanvar(block = "model", scode = "if (mu_normal == 1) target += normal_lpdf(Intercept | mu_m, mu_s);")
}
hier_prior <- c(set_prior("", class = "Intercept"), set_prior("normal(0, tau_scale)", class = "sd"))

compile_once <- function(formula, data, prior, stanvars, name) {
  # brm(file = ) stores the fit with its compiled DSO; a later session reloads it without compiling.
  t0 <- Sys.time()
  fit <- brm(formula, data = data, prior = prior, stanvars = stanvars, chains = CHAINS, iter = ITER,
             warmup = WARMUP, cores = 1, seed = 1, refresh = 0, silent = 2, backend = "rstan",
             file = file.path(cache, name))
  timing[[paste0("compile_", name)]] <<- as.numeric(difftime(Sys.time(), t0, units = "secs"))
  fit
}

sample_once <- function(model, sdata, seed, adapt_delta = 0.8) {
  rstan::sampling(model, data = sdata, chains = CHAINS, iter = ITER, warmup = WARMUP, cores = cores,
                  seed = seed, refresh = 0, show_messages = FALSE, control = list(adapt_delta = adapt_delta))
}

draws_of <- function(fit, par) {
  posterior::extract_variable_matrix(posterior::as_draws_array(as.array(fit, pars = par)), par)
}

summ <- function(m, mcid = NA, rope = NA) {
  x <- as.vector(m)
  q <- quantile(x, c(0.025, 0.5, 0.975), names = FALSE)
  c(mean = mean(x), sd = sd(x), median = q[2], lower = q[1], upper = q[3],
    p_pos = mean(x > 0), p_neg = mean(x < 0),
    p_mcid = if (is.na(mcid)) NA else mean(x > mcid),
    p_rope = if (is.na(rope)) NA else mean(x >= -rope & x <= rope),
    mcse_mean = posterior::mcse_mean(m), mcse_p_pos = posterior::mcse_mean((m > 0) * 1),
    ess_bulk = posterior::ess_bulk(m), rhat = posterior::rhat(m))
}

run_parallel <- function(items, fun) {
  if (workers > 1) parallel::mclapply(items, fun, mc.cores = workers, mc.preschedule = TRUE) else lapply(items, fun)
}

# --- decisions: one fit per distinct (estimate, SE, prior); rows share fits across MCID anchors ---
fits <- read.csv(file.path(in_dir, "fits.csv"))
rows <- read.csv(file.path(in_dir, "rows.csv"))
f0 <- fits[1, ]
dec_fit <- compile_once(y | se(se) ~ 1, data.frame(y = f0$y, se = f0$se), dec_prior,
                        dec_stanvars(f0$pf, f0$pmu, f0$psig, f0$pnu), "decision_model")
dec_model <- dec_fit$fit@stanmodel
t0 <- Sys.time()
dec_out <- run_parallel(seq_len(nrow(fits)), function(i) {
  f <- fits[i, ]
  sdata <- make_standata(y | se(se) ~ 1, data = data.frame(y = f$y, se = f$se), prior = dec_prior,
                         stanvars = dec_stanvars(f$pf, f$pmu, f$psig, f$pnu))
  s <- sample_once(dec_model, sdata, seed = 1000 + i)
  m <- draws_of(s, "b_Intercept")
  div <- rstan::get_num_divergent(s)
  r <- rows[rows$fit == f$fit, ]
  do.call(rbind, lapply(seq_len(nrow(r)), function(j) data.frame(
    block = "decisions", key = as.character(r$row[j]), fit = as.character(f$fit),
    t(summ(m, r$mcid[j], r$rope[j])), divergences = div)))
})
timing$fits_decisions <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
timing$n_fits_decisions <- nrow(fits)

# --- hierarchical analyses: the family pooling (tau-prior sweep) and the synthesis (main, LOO, rho) ---
hier <- read.csv(file.path(in_dir, "hier.csv"), stringsAsFactors = FALSE)
analyses <- unique(hier$analysis)
h_data <- function(a) hier[hier$analysis == a, ]
h_sv <- function(d) hier_stanvars(d$mu_normal[1], d$mu_m[1], d$mu_s[1], d$tau_scale[1])
form <- y | se(se) ~ 1 + (1 | group)
d0 <- h_data(analyses[1])
hier_model <- compile_once(form, d0, hier_prior, h_sv(d0), "hier_model")$fit@stanmodel
t0 <- Sys.time()
hier_out <- run_parallel(seq_along(analyses), function(i) {
  d <- h_data(analyses[i])
  sdata <- make_standata(form, data = d, prior = hier_prior, stanvars = h_sv(d))
  # brms warns of divergent transitions here at the default 0.8 and advises a higher adapt_delta.
  s <- sample_once(hier_model, sdata, seed = 5000 + i, adapt_delta = 0.99)
  mu <- draws_of(s, "b_Intercept"); tau <- draws_of(s, "sd_1[1]")
  div <- rstan::get_num_divergent(s)
  set.seed(9000 + i)
  pred <- mu + tau * matrix(rnorm(length(mu)), nrow(mu))  # theta_new of a new trial / outcome
  one <- function(key, m) {
    data.frame(block = "hier", key = paste0(analyses[i], "|", key), fit = analyses[i], t(summ(m)), divergences = div)
  }
  out <- list(one("mu", mu), one("tau", tau), one("predictive", pred))
  for (n in seq_len(nrow(d))) {  # J_1 maps each observation to its level in brms's coding
    r <- draws_of(s, sprintf("r_1_1[%d]", sdata$J_1[n]))
    out[[length(out) + 1]] <- one(d$group[n], mu + r)
  }
  do.call(rbind, out)
})
timing$fits_hier <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
timing$n_fits_hier <- length(analyses)

failed <- Filter(function(x) inherits(x, "try-error"), c(dec_out, hier_out))
if (length(failed)) stop("fits failed in a worker: ", paste(unique(unlist(failed)), collapse = "; "))
write.csv(do.call(rbind, c(dec_out, hier_out)), file.path(out_dir, "brms_summaries.csv"), row.names = FALSE)
timing$total_in_r <- as.numeric(difftime(Sys.time(), t_start, units = "secs"))
write.csv(data.frame(phase = names(timing), seconds = unlist(timing)), file.path(out_dir, "timing.csv"),
          row.names = FALSE)
