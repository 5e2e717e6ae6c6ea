"""The pre-commit hook for real: a temporary git repository installs the hook of this
checkout with the ``pre-commit`` package, a commit of a broken model is refused with the
finding, a commit of a healthy model (and of JSON/YAML files that are no models) passes.

Two installs: ``repo: local`` with the hook's own fields from .pre-commit-hooks.yaml, run
by this interpreter (fast, no network); and the published hook as users install it
(``language: python``: pre-commit builds a virtualenv and pip-installs this checkout).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys

import pytest
import yaml

import pre_commit  # noqa: F401 - the `test` extra installs it; missing it is an error

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BROKEN = os.path.join(ROOT, "examples", "mnist_too_deep.keras")  # SL001 at block3_conv2
HEALTHY = os.path.join(ROOT, "examples", "healthy_cnn.keras")

pytestmark = pytest.mark.skipif(shutil.which("git") is None,
                                reason="git is not installed: the pre-commit test needs git")


def manifest() -> dict:
    with open(os.path.join(ROOT, ".pre-commit-hooks.yaml"), encoding="utf-8") as f:
        (hook,) = yaml.safe_load(f)
    return hook


@pytest.fixture
def env(tmp_path):
    """Git and pre-commit isolated from the user's configuration."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "PRE_COMMIT")) and k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    env.update(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), PRE_COMMIT_COLOR="never",
               GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1",
               GIT_AUTHOR_NAME="Test", GIT_AUTHOR_EMAIL="test@example.com",
               GIT_COMMITTER_NAME="Test", GIT_COMMITTER_EMAIL="test@example.com")
    return env


def sh(*args, cwd, env, timeout=60):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def git_repo(path, env):
    path.mkdir()
    for args in (("init", "-q"), ("config", "user.name", "Test"),
                 ("config", "user.email", "test@example.com"),
                 ("config", "commit.gpgsign", "false")):
        assert sh("git", *args, cwd=path, env=env).returncode == 0
    return path


def commit(repo, env, *files, timeout=60):
    """Stage ``{name: source}`` files and commit: (exit code, all output)."""
    for name, source in files:
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, str) and os.path.isfile(source):
            shutil.copy(source, target)
        else:
            target.write_text(source)
        assert sh("git", "add", name, cwd=repo, env=env).returncode == 0
    done = sh("git", "commit", "-m", "change", cwd=repo, env=env, timeout=timeout)
    return done.returncode, done.stdout + done.stderr


def commits(repo, env) -> int:
    done = sh("git", "rev-list", "--count", "--all", cwd=repo, env=env)
    return int(done.stdout.strip() or 0)


def check_the_hook(repo, env, first_timeout=60):
    """Broken model refused with the finding; healthy model and non-model files pass."""
    code, out = commit(repo, env, ("models/net.keras", BROKEN), timeout=first_timeout)
    assert code != 0, out
    assert "models/net.keras:block3_conv2: SL001 [error]" in out, out
    assert commits(repo, env) == 0
    assert sh("git", "rm", "-q", "--cached", "models/net.keras", cwd=repo, env=env).returncode == 0

    code, out = commit(repo, env, ("models/net.keras", HEALTHY),
                       ("package.json", '{"name": "demo"}\n'),
                       ("config/train.yaml", "epochs: 3\n"))
    assert code == 0, out
    assert "shapelint" in out and "Passed" in out and "SL0" not in out, out
    assert commits(repo, env) == 1

    # only files that are no models: the hook runs on them and passes
    code, out = commit(repo, env, ("settings.json", '{"a": 1}\n'))
    assert code == 0 and "Passed" in out, out
    assert commits(repo, env) == 2


def test_hook_refuses_a_broken_model_and_passes_a_healthy_one(tmp_path, env):
    hook = manifest()
    assert hook["id"] == "shapelint" and hook["language"] == "python"
    command, _, args = hook["entry"].partition(" ")
    assert command == "shapelint"
    local = {key: hook[key] for key in ("id", "name", "files", "types") if key in hook}
    local.update(language="system",
                 entry=f"{shlex.quote(sys.executable)} -m shapelint {args}".rstrip())
    repo = git_repo(tmp_path / "project", env)
    (repo / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]}))
    sh("git", "add", ".pre-commit-config.yaml", cwd=repo, env=env)
    installed = sh(sys.executable, "-m", "pre_commit", "install", cwd=repo, env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    check_the_hook(repo, env)


def test_the_published_hook_installs_from_this_checkout(tmp_path, env):
    """What users write in .pre-commit-config.yaml: the hook repository at a revision.

    The repository is a snapshot of this working tree (the files git tracks or would add,
    committed in a temporary repository, so uncommitted changes are tested too);
    pre-commit pip-installs it.
    """
    source = git_repo(tmp_path / "shapelint-src", env)
    listed = sh("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard",
                cwd=ROOT, env=None)  # the checkout under the user's own git configuration
    assert listed.returncode == 0, f"{ROOT} is not a git checkout: {listed.stderr}"
    for name in filter(None, listed.stdout.split("\0")):
        if os.path.isfile(os.path.join(ROOT, name)):  # not deleted in the working tree
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(os.path.join(ROOT, name), source / name)
    assert sh("git", "add", "-A", cwd=source, env=env).returncode == 0
    assert sh("git", "commit", "-qm", "snapshot", cwd=source, env=env).returncode == 0
    rev = sh("git", "rev-parse", "HEAD", cwd=source, env=env).stdout.strip()

    repo = git_repo(tmp_path / "project", env)
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(
        {"repos": [{"repo": str(source), "rev": rev, "hooks": [{"id": "shapelint"}]}]}))
    sh("git", "add", ".pre-commit-config.yaml", cwd=repo, env=env)
    installed = sh(sys.executable, "-m", "pre_commit", "install", "--install-hooks",
                   cwd=repo, env=env, timeout=300)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    check_the_hook(repo, env)
