#pragma once
// ModuleList and ModuleDict: containers that register their entries as children but have
// no forward (torch.nn.ModuleList / ModuleDict). Entries print and serialize under their
// index or key.
#include <memory>
#include <string>
#include <vector>

#include "ember/nn/holder.h"

namespace ember::nn {

class ModuleListImpl : public Module {
 public:
  ModuleListImpl() = default;
  template <class... Modules>
  explicit ModuleListImpl(Modules&&... modules) {
    (push_back(std::forward<Modules>(modules)), ...);
  }

  void push_back(std::shared_ptr<Module> module);
  template <class C>
  void push_back(const ModuleHolder<C>& holder) {
    push_back(std::static_pointer_cast<Module>(holder.ptr()));
  }
  template <class M, class = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  void push_back(M&& module) {
    push_back(std::static_pointer_cast<Module>(std::make_shared<std::decay_t<M>>(std::forward<M>(module))));
  }
  // Inserts before `index` and renumbers the following entries.
  void insert(int64_t index, std::shared_ptr<Module> module);
  template <class C>
  void insert(int64_t index, const ModuleHolder<C>& holder) {
    insert(index, std::static_pointer_cast<Module>(holder.ptr()));
  }
  void extend(const ModuleListImpl& other) {
    for (const auto& m : other.modules_) push_back(m);
  }

  size_t size() const noexcept { return modules_.size(); }
  bool is_empty() const noexcept { return modules_.empty(); }
  auto begin() { return modules_.begin(); }
  auto end() { return modules_.end(); }
  auto begin() const { return modules_.begin(); }
  auto end() const { return modules_.end(); }
  std::shared_ptr<Module> operator[](int64_t index) const { return ptr(index); }
  std::shared_ptr<Module> ptr(int64_t index) const;
  template <class T>
  std::shared_ptr<T> ptr(int64_t index) const {
    auto p = std::dynamic_pointer_cast<T>(ptr(index));
    EMBER_CHECK(p, "Unable to cast module[", index, "] to ", demangled_type_name(typeid(T)));
    return p;
  }
  template <class T>
  T& at(int64_t index) const {
    return *ptr<T>(index);
  }

  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;

 private:
  void renumber();
  std::vector<std::shared_ptr<Module>> modules_;
};
EMBER_MODULE(ModuleList);

class ModuleDictImpl : public Module {
 public:
  ModuleDictImpl() = default;
  explicit ModuleDictImpl(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules) {
    for (const auto& [k, m] : modules) insert(k, m);
  }
  explicit ModuleDictImpl(const OrderedDict<std::string, std::shared_ptr<Module>>& modules) {
    for (const auto& item : modules) insert(item.key(), item.value());
  }

  // Inserts, or replaces the entry of the same key (keeping its position).
  void insert(const std::string& key, std::shared_ptr<Module> module);
  template <class C>
  void insert(const std::string& key, const ModuleHolder<C>& holder) {
    insert(key, std::static_pointer_cast<Module>(holder.ptr()));
  }
  void update(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules) {
    for (const auto& [k, m] : modules) insert(k, m);
  }
  std::shared_ptr<Module> pop(const std::string& key);
  bool contains(const std::string& key) const noexcept { return children_.contains(key); }
  void clear();
  std::vector<std::string> keys() const { return children_.keys(); }
  std::vector<std::shared_ptr<Module>> values() const { return children_.values(); }
  const OrderedDict<std::string, std::shared_ptr<Module>>& items() const { return children_; }
  size_t size() const noexcept { return children_.size(); }
  bool empty() const noexcept { return children_.empty(); }
  auto begin() const { return children_.begin(); }
  auto end() const { return children_.end(); }
  std::shared_ptr<Module> operator[](const std::string& key) const;
  template <class T>
  T& at(const std::string& key) const {
    auto p = std::dynamic_pointer_cast<T>((*this)[key]);
    EMBER_CHECK(p, "Unable to cast module['", key, "'] to ", demangled_type_name(typeid(T)));
    return *p;
  }

  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;
};
EMBER_MODULE(ModuleDict);

// ParameterList / ParameterDict: parameters registered as "0", "1", ... or by key.
class ParameterListImpl : public Module {
 public:
  ParameterListImpl() = default;
  template <class... Tensors>
  explicit ParameterListImpl(Tensors&&... params) {
    (append(std::forward<Tensors>(params)), ...);
  }
  void append(const Tensor& param);
  void extend(const std::vector<Tensor>& params) {
    for (const auto& p : params) append(p);
  }
  size_t size() const noexcept { return parameters_.size(); }
  bool is_empty() const noexcept { return parameters_.empty(); }
  Tensor& operator[](int64_t index);
  Tensor& at(int64_t index) { return (*this)[index]; }
  auto begin() { return parameters_.begin(); }
  auto end() { return parameters_.end(); }
  std::string extra_repr() const override;
};
EMBER_MODULE(ParameterList);

class ParameterDictImpl : public Module {
 public:
  ParameterDictImpl() = default;
  explicit ParameterDictImpl(const OrderedDict<std::string, Tensor>& params) {
    for (const auto& item : params) insert(item.key(), item.value());
  }
  // Inserts, or replaces the tensor of the same key.
  void insert(const std::string& key, const Tensor& param);
  Tensor pop(const std::string& key) { return parameters_.pop(key); }
  bool contains(const std::string& key) const noexcept { return parameters_.contains(key); }
  void clear() { parameters_.clear(); }
  std::vector<std::string> keys() const { return parameters_.keys(); }
  std::vector<Tensor> values() const { return parameters_.values(); }
  size_t size() const noexcept { return parameters_.size(); }
  bool empty() const noexcept { return parameters_.empty(); }
  Tensor& operator[](const std::string& key) { return parameters_[key]; }
  Tensor& get(const std::string& key) { return parameters_[key]; }
  auto begin() { return parameters_.begin(); }
  auto end() { return parameters_.end(); }
  std::string extra_repr() const override;
};
EMBER_MODULE(ParameterDict);

}  // namespace ember::nn
