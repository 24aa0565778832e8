# The brms side of benchmarks/real_data_vs_brms.py: each real dataset fitted with brms's DEFAULT
# priors (what a brms user gets without writing a prior), on exactly the rows bayes_ldn fits.
#
# Usage: Rscript real_data_brms.R CASES.csv OUT.csv CHAINS ITER WARMUP SEED CACHE_DIR
#
# CASES.csv: one row per case: case, kind ("crossover" or "ancova"), file (a CSV written by the
# Python side; crossover: subject, period, treated, y; ancova: treated, baseline, y).
# Formulas: crossover y ~ treated + factor(period) + (1 | subject); ancova y ~ treated + baseline.
# brms's defaults: flat b, Intercept ~ student_t(3, median(y), mad(y)), sd and sigma ~
# half-student_t(3, 0, mad(y)) (all from the data, so each case compiles its own program).
# OUT.csv: case, mean, sd, q05, q95, q025, q975 of b_treated, max R-hat, min bulk ESS, divergences,
# seconds (near 0 when the fit was read back from CACHE_DIR: brm(file =, file_refit = "on_change") refits
# only when the data, priors or sampler settings changed).

suppressMessages(library(brms))
args <- commandArgs(trailingOnly = TRUE)
cases <- read.csv(args[1], stringsAsFactors = FALSE)
chains <- as.integer(args[3]); iter <- as.integer(args[4]); warmup <- as.integer(args[5])
seed <- as.integer(args[6]); cache <- args[7]
dir.create(cache, showWarnings = FALSE, recursive = TRUE)
rows <- list()
for (i in seq_len(nrow(cases))) {
  d <- read.csv(cases$file[i])
  if (cases$kind[i] == "crossover") {
    d$period <- factor(d$period); d$subject <- factor(d$subject)
    form <- y ~ treated + period + (1 | subject)
  } else {
    form <- y ~ treated + baseline
  }
  t0 <- Sys.time()
  f <- brm(form, data = d, chains = chains, cores = 2, iter = iter, warmup = warmup, seed = seed,
           refresh = 0, silent = 2, backend = "rstan",
           file = file.path(cache, cases$case[i]), file_refit = "on_change")
  secs <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
  x <- as.data.frame(f)$b_treated
  draws <- posterior::as_draws_array(f)
  s <- posterior::summarise_draws(posterior::subset_draws(draws, variable = "^(b_|sd_|sigma)", regex = TRUE))
  np <- nuts_params(f)
  rows[[i]] <- data.frame(case = cases$case[i], mean = mean(x), sd = sd(x),
                          q05 = unname(quantile(x, 0.05)), q95 = unname(quantile(x, 0.95)),
                          q025 = unname(quantile(x, 0.025)), q975 = unname(quantile(x, 0.975)),
                          rhat_max = max(as.numeric(s$rhat)), ess_bulk_min = min(as.numeric(s$ess_bulk)),
                          divergences = sum(np$Value[np$Parameter == "divergent__"]), seconds = secs)
  cat(cases$case[i], "done\n", file = stderr())
}
write.csv(do.call(rbind, rows), args[2], row.names = FALSE)
