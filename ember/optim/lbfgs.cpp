#include "ember/optim/lbfgs.h"

#include <algorithm>
#include <cmath>

#include "ember/autograd/grad_mode.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/reduce.h"
#include "ember/ops/shape.h"

namespace ember::optim {

void LBFGSOptions::to_dict(Dict& d) const {
  d.insert_or_assign("lr", lr());
  d.insert_or_assign("max_iter", max_iter());
  d.insert_or_assign("max_eval", max_eval());
  d.insert_or_assign("tolerance_grad", tolerance_grad());
  d.insert_or_assign("tolerance_change", tolerance_change());
  d.insert_or_assign("history_size", history_size());
  d.insert_or_assign("line_search_fn", line_search_fn());
}

bool LBFGSOptions::set_field(const std::string& key, const IValue& v) {
  if (key == "lr") lr(detail::ivalue_to_double(v, "lr"));
  else if (key == "max_iter") max_iter(detail::ivalue_to_int(v, "max_iter"));
  else if (key == "max_eval") max_eval(v.isNone() ? std::nullopt : std::optional<int64_t>(detail::ivalue_to_int(v, "max_eval")));
  else if (key == "tolerance_grad") tolerance_grad(detail::ivalue_to_double(v, "tolerance_grad"));
  else if (key == "tolerance_change") tolerance_change(detail::ivalue_to_double(v, "tolerance_change"));
  else if (key == "history_size") history_size(detail::ivalue_to_int(v, "history_size"));
  else if (key == "line_search_fn") {
    EMBER_CHECK_TYPE(v.isNone() || v.isString(), "optimizer option 'line_search_fn' must be a str or None, but got ",
                     v.type_name());
    line_search_fn(v.isNone() ? std::nullopt : std::optional<std::string>(v.toStringRef()));
  } else {
    return false;
  }
  return true;
}

void LBFGSParamState::to_dict(Dict& dict) const {
  dict.insert_or_assign("func_evals", func_evals());
  dict.insert_or_assign("n_iter", n_iter());
  if (al()) {
    GenericList a;
    for (double x : *al()) {
      if (std::isnan(x)) a.emplace_back();  // PyTorch's None: not computed yet
      else a.emplace_back(x);
    }
    dict.insert_or_assign("al", IValue(std::move(a)));
  }
  if (!started()) return;
  dict.insert_or_assign("d", d());
  dict.insert_or_assign("t", t());
  dict.insert_or_assign("old_dirs", IValue(std::vector<Tensor>(old_dirs().begin(), old_dirs().end())));
  dict.insert_or_assign("old_stps", IValue(std::vector<Tensor>(old_stps().begin(), old_stps().end())));
  dict.insert_or_assign("ro", IValue(std::vector<double>(ro().begin(), ro().end())));
  dict.insert_or_assign("H_diag", H_diag());
  dict.insert_or_assign("prev_flat_grad", prev_flat_grad());
  dict.insert_or_assign("prev_loss", prev_loss());
}

namespace {
// A number PyTorch may have stored as a 0-dim tensor.
double number_of(const IValue& v) { return v.isTensor() ? v.toTensor().item<double>() : v.toDouble(); }
}  // namespace

void LBFGSParamState::from_dict(const Dict& dict) {
  func_evals(detail::state_step(dict, "func_evals"));
  n_iter(detail::state_step(dict, "n_iter"));
  if (const IValue* a = dict.find("al")) {
    std::vector<double> v;
    for (const IValue& x : a->toList()) v.push_back(x.isNone() ? std::nan("") : number_of(x));
    al(v);
  }
  started(dict.contains("d"));
  if (!started()) return;
  d(detail::state_tensor(dict, "d"));
  t(number_of(dict.at("t")));
  auto dirs = dict.at("old_dirs").toTensorVector();
  auto stps = dict.at("old_stps").toTensorVector();
  old_dirs(std::deque<Tensor>(dirs.begin(), dirs.end()));
  old_stps(std::deque<Tensor>(stps.begin(), stps.end()));
  std::deque<double> r;
  for (const IValue& x : dict.at("ro").toList()) r.push_back(number_of(x));
  ro(r);
  H_diag(number_of(dict.at("H_diag")));
  prev_flat_grad(detail::state_tensor(dict, "prev_flat_grad"));
  prev_loss(number_of(dict.at("prev_loss")));
}

LBFGS::LBFGS(std::vector<OptimizerParamGroup> param_groups, LBFGSOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<LBFGSOptions>(defaults)) {
  EMBER_CHECK_VALUE(param_groups_.size() == 1, "LBFGS doesn't support per-parameter options (parameter groups)");
  for (auto& g : param_groups_) {
    auto& o = static_cast<LBFGSOptions&>(g.options());
    if (!o.max_eval()) o.max_eval(o.max_iter() * 5 / 4);
  }
  if (!defaults_->contains("max_eval") || static_cast<LBFGSOptions&>(*defaults_).max_eval() == std::nullopt) {
    auto& o = static_cast<LBFGSOptions&>(*defaults_);
    o.max_eval(o.max_iter() * 5 / 4);
  }
}

int64_t LBFGS::numel() const {
  int64_t n = 0;
  for (const Tensor& p : param_groups_[0].params()) n += p.numel();
  return n;
}

Tensor LBFGS::gather_flat_grad() const {
  std::vector<Tensor> views;
  for (const Tensor& p : param_groups_[0].params()) {
    Tensor g = p.grad();
    views.push_back(g.defined() ? g.reshape({-1}) : zeros({p.numel()}, p.options()));
  }
  return cat(views, 0);
}

void LBFGS::add_grad(double step_size, const Tensor& update) {
  int64_t offset = 0;
  for (Tensor& p : param_groups_[0].params()) {
    int64_t n = p.numel();
    p.add_(update.slice(0, offset, offset + n).view_as(p), step_size);
    offset += n;
  }
}

std::vector<Tensor> LBFGS::clone_params() const {
  std::vector<Tensor> r;
  for (const Tensor& p : param_groups_[0].params()) r.push_back(p.clone());
  return r;
}

void LBFGS::set_params(const std::vector<Tensor>& values) {
  auto& ps = param_groups_[0].params();
  for (size_t i = 0; i < ps.size(); ++i) ps[i].copy_(values[i]);
}

std::pair<double, Tensor> LBFGS::directional_evaluate(const LossClosure& closure, const std::vector<Tensor>& x,
                                                      double t, const Tensor& d) {
  add_grad(t, d);
  double loss = run_closure(closure).item<double>();
  Tensor flat_grad = gather_flat_grad();
  set_params(x);
  return {loss, flat_grad};
}

namespace {

double dot_d(const Tensor& a, const Tensor& b) { return a.dot(b).item<double>(); }

// Minimiser of the cubic through (x1, f1, g1), (x2, f2, g2), clamped to the bounds
// (PyTorch's _cubic_interpolate).
double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2,
                         std::optional<std::pair<double, double>> bounds = std::nullopt) {
  double xmin_bound, xmax_bound;
  if (bounds) std::tie(xmin_bound, xmax_bound) = *bounds;
  else if (x1 <= x2) xmin_bound = x1, xmax_bound = x2;
  else xmin_bound = x2, xmax_bound = x1;
  double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  double d2_square = d1 * d1 - g1 * g2;
  if (d2_square >= 0) {
    double d2 = std::sqrt(d2_square);
    double min_pos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                              : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return std::min(std::max(min_pos, xmin_bound), xmax_bound);
  }
  return (xmin_bound + xmax_bound) / 2.;
}

struct LineSearchResult {
  double f;
  Tensor g;
  double t;
  int64_t evals;
};

// PyTorch's _strong_wolfe (c1 = 1e-4, c2 = 0.9, max_ls = 25), statement for statement.
template <class Obj>
LineSearchResult strong_wolfe(const Obj& obj_func, double t, const Tensor& d, double f, Tensor g, double gtd,
                              double tolerance_change, double c1 = 1e-4, double c2 = 0.9, int max_ls = 25) {
  const double d_norm = d.abs().max().item<double>();
  g = g.clone();
  auto [f_new, g_new] = obj_func(t);
  int64_t ls_func_evals = 1;
  double gtd_new = dot_d(g_new, d);
  double t_prev = 0, f_prev = f, gtd_prev = gtd;
  Tensor g_prev = g;
  bool done = false;
  int ls_iter = 0;
  std::vector<double> bracket, bracket_f, bracket_gtd;
  std::vector<Tensor> bracket_g;
  while (ls_iter < max_ls) {
    if (f_new > (f + c1 * t * gtd) || (ls_iter > 1 && f_new >= f_prev)) {
      bracket = {t_prev, t};
      bracket_f = {f_prev, f_new};
      bracket_g = {g_prev, g_new.clone()};
      bracket_gtd = {gtd_prev, gtd_new};
      break;
    }
    if (std::abs(gtd_new) <= -c2 * gtd) {
      bracket = {t};
      bracket_f = {f_new};
      bracket_g = {g_new};
      done = true;
      break;
    }
    if (gtd_new >= 0) {
      bracket = {t_prev, t};
      bracket_f = {f_prev, f_new};
      bracket_g = {g_prev, g_new.clone()};
      bracket_gtd = {gtd_prev, gtd_new};
      break;
    }
    double min_step = t + 0.01 * (t - t_prev);
    double max_step = t * 10;
    double tmp = t;
    t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, std::make_pair(min_step, max_step));
    t_prev = tmp;
    f_prev = f_new;
    g_prev = g_new.clone();
    gtd_prev = gtd_new;
    std::tie(f_new, g_new) = obj_func(t);
    ls_func_evals += 1;
    gtd_new = dot_d(g_new, d);
    ls_iter += 1;
  }
  if (ls_iter == max_ls) {
    bracket = {0, t};
    bracket_f = {f, f_new};
    bracket_g = {g, g_new};
    // PyTorch leaves bracket_gtd from the last iteration here; it is unused unless the
    // zoom loop below runs, which it cannot (ls_iter == max_ls).
  }
  bool insuf_progress = false;
  size_t low_pos = 0, high_pos = 1;
  if (!(bracket_f.front() <= bracket_f.back())) low_pos = 1, high_pos = 0;
  while (!done && ls_iter < max_ls) {
    if (std::abs(bracket[1] - bracket[0]) * d_norm < tolerance_change) break;
    t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]);
    const double bmax = std::max(bracket[0], bracket[1]), bmin = std::min(bracket[0], bracket[1]);
    double eps = 0.1 * (bmax - bmin);
    if (std::min(bmax - t, t - bmin) < eps) {
      if (insuf_progress || t >= bmax || t <= bmin) {
        t = std::abs(t - bmax) < std::abs(t - bmin) ? bmax - eps : bmin + eps;
        insuf_progress = false;
      } else {
        insuf_progress = true;
      }
    } else {
      insuf_progress = false;
    }
    std::tie(f_new, g_new) = obj_func(t);
    ls_func_evals += 1;
    gtd_new = dot_d(g_new, d);
    ls_iter += 1;
    if (f_new > (f + c1 * t * gtd) || f_new >= bracket_f[low_pos]) {
      bracket[high_pos] = t;
      bracket_f[high_pos] = f_new;
      bracket_g[high_pos] = g_new.clone();
      bracket_gtd[high_pos] = gtd_new;
      if (bracket_f[0] <= bracket_f[1]) low_pos = 0, high_pos = 1;
      else low_pos = 1, high_pos = 0;
    } else {
      if (std::abs(gtd_new) <= -c2 * gtd) {
        done = true;
      } else if (gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0) {
        bracket[high_pos] = bracket[low_pos];
        bracket_f[high_pos] = bracket_f[low_pos];
        bracket_g[high_pos] = bracket_g[low_pos];
        bracket_gtd[high_pos] = bracket_gtd[low_pos];
      }
      bracket[low_pos] = t;
      bracket_f[low_pos] = f_new;
      bracket_g[low_pos] = g_new.clone();
      bracket_gtd[low_pos] = gtd_new;
    }
  }
  return {bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals};
}

}  // namespace

Tensor LBFGS::step(LossClosure closure) {
  EMBER_CHECK_TYPE(closure != nullptr, "LBFGS.step() missing 1 required positional argument: 'closure'");
  NoGradGuard no_grad;
  OptimizerParamGroup& group = param_groups_[0];
  const auto& o = static_cast<const LBFGSOptions&>(group.options());
  const double lr = o.lr();
  const int64_t max_iter = o.max_iter();
  const int64_t max_eval = o.max_eval().value_or(max_iter * 5 / 4);
  const double tolerance_grad = o.tolerance_grad(), tolerance_change = o.tolerance_change();
  const int64_t history_size = o.history_size();
  if (o.line_search_fn())
    EMBER_CHECK(*o.line_search_fn() == "strong_wolfe", "only 'strong_wolfe' is supported");

  auto& slot = state_[group.params().at(0).unsafeGetTensorImpl()];
  if (!slot) slot = std::make_unique<LBFGSParamState>();
  auto& st = static_cast<LBFGSParamState&>(*slot);

  Tensor orig_loss = run_closure(closure);
  double loss = orig_loss.item<double>();
  int64_t current_evals = 1;
  st.func_evals(st.func_evals() + 1);

  Tensor flat_grad = gather_flat_grad();
  bool opt_cond = flat_grad.abs().max().item<double>() <= tolerance_grad;
  if (opt_cond) return orig_loss;

  Tensor d = st.d(), prev_flat_grad = st.prev_flat_grad();
  double t = st.t(), H_diag = st.H_diag(), prev_loss = st.prev_loss();
  std::deque<Tensor>& old_dirs = st.old_dirs();
  std::deque<Tensor>& old_stps = st.old_stps();
  std::deque<double>& ro = st.ro();

  int64_t n_iter = 0;
  while (n_iter < max_iter) {
    n_iter += 1;
    st.n_iter(st.n_iter() + 1);
    if (st.n_iter() == 1) {
      d = flat_grad.neg();
      old_dirs.clear();
      old_stps.clear();
      ro.clear();
      H_diag = 1;
    } else {
      // L-BFGS update of the inverse-Hessian approximation from the last step.
      Tensor y = flat_grad.sub(prev_flat_grad);
      Tensor s = d.mul(t);
      double ys = dot_d(y, s);
      if (ys > 1e-10) {
        if (static_cast<int64_t>(old_dirs.size()) == history_size) {
          old_dirs.pop_front();
          old_stps.pop_front();
          ro.pop_front();
        }
        old_dirs.push_back(y);
        old_stps.push_back(s);
        ro.push_back(1. / ys);
        H_diag = ys / dot_d(y, y);
      }
      const size_t num_old = old_dirs.size();
      if (!st.al()) st.al(std::vector<double>(static_cast<size_t>(history_size), std::nan("")));
      std::vector<double>& al = *st.al();
      if (al.size() < num_old) al.resize(num_old, std::nan(""));
      // Two-loop recursion: d = -H * grad.
      Tensor q = flat_grad.neg();
      for (size_t k = num_old; k-- > 0;) {
        al[k] = dot_d(old_stps[k], q) * ro[k];
        q.add_(old_dirs[k], -al[k]);
      }
      Tensor r = q.mul(H_diag);
      for (size_t k = 0; k < num_old; ++k) {
        double be_i = dot_d(old_dirs[k], r) * ro[k];
        r.add_(old_stps[k], al[k] - be_i);
      }
      d = r;
    }
    if (!prev_flat_grad.defined()) prev_flat_grad = flat_grad.clone();
    else prev_flat_grad.copy_(flat_grad);
    prev_loss = loss;

    if (st.n_iter() == 1) t = std::min(1., 1. / flat_grad.abs().sum().item<double>()) * lr;
    else t = lr;

    double gtd = dot_d(flat_grad, d);
    if (gtd > -tolerance_change) break;

    int64_t ls_func_evals = 0;
    if (o.line_search_fn()) {
      std::vector<Tensor> x_init = clone_params();
      auto obj_func = [&](double step) { return directional_evaluate(closure, x_init, step, d); };
      LineSearchResult res = strong_wolfe(obj_func, t, d, loss, flat_grad, gtd, tolerance_change);
      loss = res.f;
      flat_grad = res.g;
      t = res.t;
      ls_func_evals = res.evals;
      add_grad(t, d);
      opt_cond = flat_grad.abs().max().item<double>() <= tolerance_grad;
    } else {
      add_grad(t, d);
      if (n_iter != max_iter) {
        loss = run_closure(closure).item<double>();
        flat_grad = gather_flat_grad();
        opt_cond = flat_grad.abs().max().item<double>() <= tolerance_grad;
        ls_func_evals = 1;
      }
    }
    current_evals += ls_func_evals;
    st.func_evals(st.func_evals() + ls_func_evals);

    if (n_iter == max_iter) break;
    if (current_evals >= max_eval) break;
    if (opt_cond) break;
    if (d.mul(t).abs().max().item<double>() <= tolerance_change) break;
    if (std::abs(loss - prev_loss) < tolerance_change) break;
  }

  st.d(d);
  st.t(t);
  st.H_diag(H_diag);
  st.prev_flat_grad(prev_flat_grad);
  st.prev_loss(prev_loss);
  st.started(true);
  return orig_loss;
}

}  // namespace ember::optim
