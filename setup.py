"""pip install --no-build-isolation .  — builds ember._C with CMake (the same
python/CMakeLists.txt as the presets, libember linked in statically so the installed
package is one extension module) and installs the pure-Python package python/ember."""
import os
import pathlib
import shutil
import subprocess
import sys

from setuptools import Extension, find_packages, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        target = pathlib.Path(self.get_ext_fullpath(ext.name)).resolve()
        build_dir = pathlib.Path(self.build_temp).resolve() / "cmake"
        build_dir.mkdir(parents=True, exist_ok=True)
        generator = ["-G", "Ninja"] if shutil.which("ninja") else []
        subprocess.check_call(["cmake", "-S", str(ROOT), "-B", str(build_dir), *generator,
                               "-DCMAKE_BUILD_TYPE=Release", "-DEMBER_BUILD_SHARED=OFF", "-DEMBER_BUILD_TESTS=OFF",
                               "-DEMBER_BUILD_BENCHMARKS=OFF", "-DEMBER_BUILD_EXAMPLES=OFF",
                               "-DEMBER_BUILD_PYTHON=ON", f"-DPython_EXECUTABLE={sys.executable}"])
        subprocess.check_call(["cmake", "--build", str(build_dir), "--target", "ember_python_C", "ember_board_page",
                               "-j", str(os.cpu_count() or 2)])
        built = next((build_dir / "python" / "ember").glob("_C*.so"))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, target)
        # ember-board's page, bundled by the build (npm ci + board/web/bundle.py).
        page = target.parent / "board" / "static" / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(build_dir / "python" / "ember" / "board" / "static" / "index.html", page)


setup(
    name="ember",
    version="0.1.0",
    description="A deep-learning framework with PyTorch's API on a C++20 core",
    package_dir={"": "python"},
    packages=find_packages("python"),
    ext_modules=[CMakeExtension("ember._C")],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.9",
    entry_points={"console_scripts": ["ember-board = ember.board.server:main",
                                      "ember-run = ember.distributed.run:main"]},
    zip_safe=False,
)
