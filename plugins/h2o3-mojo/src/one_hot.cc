#include "one_hot.hpp"

#include "errors.hpp"

namespace scorehost::h2o3 {

OneHotLayout ReadOneHotLayout(const ModelIni& ini, const std::string& path, const std::string& algo, int n_features,
                              bool offsets_optional) {
  const int64_t cats = ini.RequireInt("cats"), nums = ini.RequireInt("nums");
  if (cats < 0 || nums < 0 || cats + nums > n_features)
    Fail(ErrorKind::kDataLoss, path + ": " + algo + " cats=" + std::to_string(cats) + " nums=" + std::to_string(nums) +
                                   " do not fit " + std::to_string(n_features) + " features");
  OneHotLayout layout;
  layout.cats = static_cast<int>(cats);
  layout.nums = static_cast<int>(nums);
  layout.cat_offsets = ini.Int32s("cat_offsets").value_or(std::vector<int32_t>{});
  if (offsets_optional && layout.cat_offsets.empty() && cats == 0) layout.cat_offsets = {0};
  const std::vector<int32_t>& offs = layout.cat_offsets;
  if (offs.size() != static_cast<size_t>(cats) + 1)
    Fail(ErrorKind::kDataLoss, path + ": " + algo + " cat_offsets must have cats + 1 = " + std::to_string(cats + 1) + " entries");
  // 2^28 expanded columns bounds what the scorers index and allocate.
  for (size_t i = 0; i < offs.size(); ++i)
    if (offs[i] < 0 || (i + 1 < offs.size() && offs[i] > offs[i + 1]) || offs[i] > (1 << 28))
      Fail(ErrorKind::kDataLoss, path + ": " + algo + " cat_offsets are not increasing from 0 to at most 2^28");
  return layout;
}

}  // namespace scorehost::h2o3
