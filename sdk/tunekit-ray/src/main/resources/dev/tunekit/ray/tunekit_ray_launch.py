"""Tunekit's launcher for Ray Jobs: runs tunekit_train.py (next to it in the job's working_dir) after resolving
every argument written @MODULE/FILE to FILE inside the Python package MODULE.

Tunekit uploads each dataset file to Ray's package store as its own package (a directory tunekit_data_<hash>/ with
data.jsonl) and lists it in the job's runtime_env py_modules, which Ray unpacks and puts on the Python path; the
path it unpacks to is Ray's business, so the launcher asks Python where the package is. Plain Python, no imports
beyond the standard library: the trainer's own --dry-run stays free of ML libraries.
"""
import importlib.util
import os
import runpy
import sys


def resolve(arg):
    if not arg.startswith("@"):
        return arg
    module, _, name = arg[1:].partition("/")
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        print(f"tunekit_train: error: the dataset package {module} is not on the Python path; Tunekit lists it in the"
              f" job's runtime_env py_modules: check that Ray unpacked it (ray job logs)", file=sys.stderr)
        sys.exit(2)
    return os.path.join(list(spec.submodule_search_locations)[0], name)


if __name__ == "__main__":
    trainer = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tunekit_train.py")
    sys.argv = [trainer] + [resolve(a) for a in sys.argv[1:]]
    runpy.run_path(trainer, run_name="__main__")
