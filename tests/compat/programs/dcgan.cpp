// LibTorch-style program 4: a DCGAN (the shape of pytorch/examples' cpp/dcgan and the C++
// frontend tutorial) on small synthetic data: a generator written as a custom module
// (ConvTranspose2d + BatchNorm2d, TORCH_MODULE), a discriminator as an nn::Sequential
// (Conv2d, LeakyReLU, BatchNorm2d, Sigmoid), Adam with betas (0.5, 0.5), label smoothing,
// binary_cross_entropy, then a checkpoint of the generator and both optimisers saved with
// torch::save and restored with torch::load into fresh objects. Builds unchanged against
// LibTorch and against ember through ember::torch_compat. argv[1]: training steps.
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

const int64_t kNoiseSize = 100;
const int64_t kBatchSize = 64;

struct DCGANGeneratorImpl : torch::nn::Module {
  DCGANGeneratorImpl(int kNoiseSize)
      : conv1(torch::nn::ConvTranspose2dOptions(kNoiseSize, 256, 4).bias(false)),
        batch_norm1(256),
        conv2(torch::nn::ConvTranspose2dOptions(256, 128, 3).stride(2).padding(1).bias(false)),
        batch_norm2(128),
        conv3(torch::nn::ConvTranspose2dOptions(128, 64, 4).stride(2).padding(1).bias(false)),
        batch_norm3(64),
        conv4(torch::nn::ConvTranspose2dOptions(64, 1, 4).stride(2).padding(1).bias(false)) {
    register_module("conv1", conv1);
    register_module("conv2", conv2);
    register_module("conv3", conv3);
    register_module("conv4", conv4);
    register_module("batch_norm1", batch_norm1);
    register_module("batch_norm2", batch_norm2);
    register_module("batch_norm3", batch_norm3);
  }

  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(batch_norm1(conv1(x)));
    x = torch::relu(batch_norm2(conv2(x)));
    x = torch::relu(batch_norm3(conv3(x)));
    x = torch::tanh(conv4(x));
    return x;
  }

  torch::nn::ConvTranspose2d conv1, conv2, conv3, conv4;
  torch::nn::BatchNorm2d batch_norm1, batch_norm2, batch_norm3;
};
TORCH_MODULE(DCGANGenerator);

torch::nn::Sequential make_discriminator() {
  using namespace torch;
  return nn::Sequential(
      // Layer 1
      nn::Conv2d(nn::Conv2dOptions(1, 64, 4).stride(2).padding(1).bias(false)),
      nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)),
      // Layer 2
      nn::Conv2d(nn::Conv2dOptions(64, 128, 4).stride(2).padding(1).bias(false)), nn::BatchNorm2d(128),
      nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)),
      // Layer 3
      nn::Conv2d(nn::Conv2dOptions(128, 256, 4).stride(2).padding(1).bias(false)), nn::BatchNorm2d(256),
      nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)),
      // Layer 4
      nn::Conv2d(nn::Conv2dOptions(256, 1, 3).stride(1).padding(0).bias(false)), nn::Sigmoid());
}

// 256 "real" images in [-1, 1]: blurred rings whose radius depends on the index.
torch::Tensor make_real_images() {
  auto r = torch::arange(28, torch::kFloat) - 13.5;
  auto dist = (r.unsqueeze(1).pow(2) + r.unsqueeze(0).pow(2)).sqrt().unsqueeze(0);  // [1, 28, 28]
  auto radius = (torch::arange(256, torch::kFloat).remainder(8) + 4).view({-1, 1, 1});
  auto images = torch::exp(-(dist - radius).pow(2) / 4) * 2 - 1;
  return images.unsqueeze(1);  // [256, 1, 28, 28]
}

int main(int argc, char** argv) {
  int64_t steps = argc > 1 ? std::atoll(argv[1]) : 4;
  torch::manual_seed(1);
  torch::Device device(torch::cuda::is_available() ? torch::kCUDA : torch::kCPU);

  DCGANGenerator generator(kNoiseSize);
  generator->to(device);
  torch::nn::Sequential discriminator = make_discriminator();
  discriminator->to(device);

  auto real_images_all = make_real_images().to(device);
  const int64_t batches_per_epoch = real_images_all.size(0) / kBatchSize;

  torch::optim::Adam generator_optimizer(generator->parameters(),
                                         torch::optim::AdamOptions(2e-4).betas(std::make_tuple(0.5, 0.5)));
  torch::optim::Adam discriminator_optimizer(discriminator->parameters(),
                                             torch::optim::AdamOptions(2e-4).betas(std::make_tuple(0.5, 0.5)));

  for (int64_t step = 0; step < steps; ++step) {
    auto real_images = real_images_all.slice(0, (step % batches_per_epoch) * kBatchSize,
                                             (step % batches_per_epoch + 1) * kBatchSize);
    // Train the discriminator on real images (smoothed labels) and on fakes.
    discriminator->zero_grad();
    torch::Tensor real_labels = torch::empty(real_images.size(0), device).uniform_(0.8, 1.0);
    torch::Tensor real_output = discriminator->forward(real_images).reshape(real_labels.sizes());
    torch::Tensor d_loss_real = torch::binary_cross_entropy(real_output, real_labels);
    d_loss_real.backward();

    torch::Tensor noise = torch::randn({real_images.size(0), kNoiseSize, 1, 1}, device);
    torch::Tensor fake_images = generator->forward(noise);
    torch::Tensor fake_labels = torch::zeros(real_images.size(0), device);
    torch::Tensor fake_output = discriminator->forward(fake_images.detach()).reshape(fake_labels.sizes());
    torch::Tensor d_loss_fake = torch::binary_cross_entropy(fake_output, fake_labels);
    d_loss_fake.backward();
    torch::Tensor d_loss = d_loss_real + d_loss_fake;
    discriminator_optimizer.step();

    // Train the generator to fool the discriminator.
    generator->zero_grad();
    fake_labels.fill_(1);
    fake_output = discriminator->forward(fake_images).reshape(fake_labels.sizes());
    torch::Tensor g_loss = torch::binary_cross_entropy(fake_output, fake_labels);
    g_loss.backward();
    generator_optimizer.step();

    std::printf("step %ld d_loss %.4f g_loss %.4f\n", static_cast<long>(step + 1), d_loss.item<float>(),
                g_loss.item<float>());
  }

  // Checkpoint: save the generator, both optimisers and a sample, restore into new objects.
  auto dir = std::filesystem::temp_directory_path() / torch::str("compat_dcgan_", getpid());
  std::filesystem::create_directories(dir);
  torch::save(generator, (dir / "generator-checkpoint.pt").string());
  torch::save(generator_optimizer, (dir / "generator-optimizer-checkpoint.pt").string());
  torch::save(discriminator, (dir / "discriminator-checkpoint.pt").string());
  torch::save(discriminator_optimizer, (dir / "discriminator-optimizer-checkpoint.pt").string());
  torch::Tensor probe = torch::randn({8, kNoiseSize, 1, 1}, device);
  generator->eval();
  torch::Tensor samples = generator->forward(probe);
  torch::save((samples + 1.0) / 2.0, torch::str((dir / "dcgan-sample-").string(), 1, ".pt"));

  DCGANGenerator restored(kNoiseSize);
  torch::optim::Adam restored_optimizer(restored->parameters(),
                                        torch::optim::AdamOptions(2e-4).betas(std::make_tuple(0.5, 0.5)));
  torch::load(restored, (dir / "generator-checkpoint.pt").string());
  torch::load(restored_optimizer, (dir / "generator-optimizer-checkpoint.pt").string());
  restored->eval();
  torch::Tensor restored_samples = restored->forward(probe);
  torch::Tensor saved_samples;
  torch::load(saved_samples, torch::str((dir / "dcgan-sample-").string(), 1, ".pt"));
  std::printf("restored generator max diff %.6f\n", (restored_samples - samples).abs().max().item<float>());
  std::printf("saved sample max diff %.6f\n", (saved_samples - (samples + 1.0) / 2.0).abs().max().item<float>());
  std::printf("sample mean %.4f std %.4f\n", samples.mean().item<float>(), samples.std().item<float>());
  std::filesystem::remove_all(dir);
  std::printf("done\n");
  return 0;
}
