// berth's one native addon: the system calls that otherwise cost a process each on the
// container start path (mount(8) and umount(8) take 5-7 ms here, the calls themselves
// under 1 ms), and process creation without fork(2) (see spawn below). Blocking calls run
// on libuv's thread pool and settle a promise.
// docs/decisions/0008-native-mount.md says why and what falls back when it is absent.
#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <dirent.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "berth-host.h"

enum op { OP_MOUNT, OP_UMOUNT, OP_WAIT };

struct call {
  napi_async_work work;
  napi_deferred deferred;
  enum op op;
  char *source, *target, *fstype, *data;
  unsigned long flags;
  pid_t pid;
  int status;
  int err;
};

static void call_free(struct call *c) {
  free(c->source);
  free(c->target);
  free(c->fstype);
  free(c->data);
  free(c);
}

static void execute(napi_env env, void *arg) {
  (void)env;
  struct call *c = arg;
  int rc;
  if (c->op == OP_WAIT) {
    do rc = waitpid(c->pid, &c->status, 0); while (rc < 0 && errno == EINTR);
  } else {
    rc = c->op == OP_MOUNT ? mount(c->source, c->target, c->fstype, c->flags, c->data) : umount2(c->target, (int)c->flags);
  }
  c->err = rc >= 0 ? 0 : errno;
}

// An Error as Node's own fs and child_process errors look: code, errno, syscall and path (when there is one).
napi_value errno_error(napi_env env, int e, const char *syscall, const char *path) {
  const char *name = strerrorname_np(e);
  if (!name) name = "EUNKNOWN";
  char text[4400];
  if (path) snprintf(text, sizeof text, "%s: %s, %s '%s'", name, strerror(e), syscall, path);
  else snprintf(text, sizeof text, "%s: %s, %s", name, strerror(e), syscall);
  napi_value code, msg, err, num, sc;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, code, msg, &err);
  napi_create_int32(env, -e, &num);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc);
  napi_set_named_property(env, err, "errno", num);
  napi_set_named_property(env, err, "syscall", sc);
  if (path) {
    napi_value p;
    napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &p);
    napi_set_named_property(env, err, "path", p);
  }
  return err;
}

void settle(napi_env env, napi_deferred deferred, napi_status status, napi_value value, int err, const char *syscall, const char *path) {
  if (status == napi_ok && !err) {
    if (!value) napi_get_undefined(env, &value);
    napi_resolve_deferred(env, deferred, value);
  } else {
    napi_reject_deferred(env, deferred, errno_error(env, status == napi_ok ? err : ECANCELED, syscall, path));
  }
}

// Settle with undefined, or reject with an Error carrying Node's errno conventions (code, errno, syscall, path).
static void complete(napi_env env, napi_status status, void *arg) {
  struct call *c = arg;
  if (status == napi_ok && c->err == 0 && c->op == OP_WAIT) {
    // [exit code, signal number]: one of them is null
    napi_value pair, code, sig, null;
    napi_get_null(env, &null);
    napi_create_array_with_length(env, 2, &pair);
    if (WIFEXITED(c->status)) napi_create_int32(env, WEXITSTATUS(c->status), &code); else code = null;
    if (WIFSIGNALED(c->status)) napi_create_int32(env, WTERMSIG(c->status), &sig); else sig = null;
    napi_set_element(env, pair, 0, code);
    napi_set_element(env, pair, 1, sig);
    napi_resolve_deferred(env, c->deferred, pair);
  } else if (status == napi_ok && c->err == 0) {
    napi_value undef;
    napi_get_undefined(env, &undef);
    napi_resolve_deferred(env, c->deferred, undef);
  } else {
    int e = status == napi_ok ? c->err : ECANCELED;
    const char *syscall = c->op == OP_MOUNT ? "mount" : c->op == OP_UMOUNT ? "umount2" : "waitpid";
    napi_reject_deferred(env, c->deferred, errno_error(env, e, syscall, c->target));
  }
  napi_delete_async_work(env, c->work);
  call_free(c);
}

// A string argument, or NULL for null/undefined. Sets *bad on any other type.
char *string_arg(napi_env env, napi_value v, int *bad) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) { *bad = 1; return NULL; }
  if (t == napi_null || t == napi_undefined) return NULL;
  if (t != napi_string) { *bad = 1; return NULL; }
  size_t len;
  napi_get_value_string_utf8(env, v, NULL, 0, &len);
  char *s = malloc(len + 1);
  if (!s) { *bad = 1; return NULL; }
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  if (strlen(s) != len) { free(s); *bad = 1; return NULL; } // an embedded NUL would cut the path short
  return s;
}

static napi_value queue(napi_env env, struct call *c) {
  return queue_work(env, execute, complete, c, &c->deferred, &c->work);
}

static void flags_arg(napi_env env, napi_value v, unsigned long *out, int *bad) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || d < 0 || d > 4294967295.0) *bad = 1;
  else *out = (unsigned long)d;
}

// mount(source, target, fstype, flags, data) -> Promise<void>
static napi_value js_mount(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  struct call *c = calloc(1, sizeof *c);
  int bad = argc != 5 || !c;
  if (!bad) {
    c->op = OP_MOUNT;
    c->source = string_arg(env, argv[0], &bad);
    c->target = string_arg(env, argv[1], &bad);
    c->fstype = string_arg(env, argv[2], &bad);
    flags_arg(env, argv[3], &c->flags, &bad);
    c->data = string_arg(env, argv[4], &bad);
    if (!c->target) bad = 1;
  }
  if (bad) {
    if (c) call_free(c);
    napi_throw_type_error(env, NULL, "mount(source, target, fstype, flags, data): bad arguments");
    return NULL;
  }
  return queue(env, c);
}

// umount(target, flags) -> Promise<void>
static napi_value js_umount(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  struct call *c = calloc(1, sizeof *c);
  int bad = argc != 2 || !c;
  if (!bad) {
    c->op = OP_UMOUNT;
    c->target = string_arg(env, argv[0], &bad);
    flags_arg(env, argv[1], &c->flags, &bad);
    if (!c->target) bad = 1;
  }
  if (bad) {
    if (c) call_free(c);
    napi_throw_type_error(env, NULL, "umount(target, flags): bad arguments");
    return NULL;
  }
  return queue(env, c);
}


// A NULL-terminated copy of a JS array of strings, or NULL (with *bad set) on any other input.
static char **string_array_arg(napi_env env, napi_value v, int *bad) {
  bool is_array = false;
  uint32_t n = 0;
  if (napi_is_array(env, v, &is_array) != napi_ok || !is_array || napi_get_array_length(env, v, &n) != napi_ok) { *bad = 1; return NULL; }
  char **out = calloc(n + 1, sizeof *out);
  if (!out) { *bad = 1; return NULL; }
  for (uint32_t i = 0; i < n && !*bad; i++) {
    napi_value el;
    napi_get_element(env, v, i, &el);
    out[i] = string_arg(env, el, bad);
    if (!out[i]) *bad = 1;
  }
  return out;
}

static void string_array_free(char **a) {
  if (!a) return;
  for (char **p = a; *p; p++) free(*p);
  free(a);
}

// spawn(file, argv, envp, cwd, fds, setsid) -> { pid, fds }
//
// Node's child_process forks: the daemon's page tables are copied and its event loop waits
// until the child has exec'd, 2-3 ms per process here, on the main thread. posix_spawn uses
// CLONE_VFORK: nothing is copied and the caller is held only until the exec. `fds` describes
// the child's descriptors 0..n-1: 0 = /dev/null, 1 = a pipe the child reads, 2 = a pipe the
// child writes; the parent's ends (non-blocking, close-on-exec) come back in `fds`, -1 for
// /dev/null. Signals the daemon ignores or handles are reset to their defaults in the child.
static napi_value js_spawn(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int bad = argc != 6;
  char *file = NULL, *cwd = NULL, **args = NULL, **envp = NULL;
  uint32_t nfds = 0;
  bool detached = false, is_array = false;
  if (!bad) {
    file = string_arg(env, argv[0], &bad);
    args = string_array_arg(env, argv[1], &bad);
    envp = string_array_arg(env, argv[2], &bad);
    cwd = string_arg(env, argv[3], &bad);
    if (napi_is_array(env, argv[4], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[4], &nfds) != napi_ok || nfds > 16) bad = 1;
    if (napi_get_value_bool(env, argv[5], &detached) != napi_ok) bad = 1;
    if (!file) bad = 1;
  }
  int kinds[16], parent_end[16], child_end[16];
  for (uint32_t i = 0; i < 16; i++) parent_end[i] = child_end[i] = -1;
  for (uint32_t i = 0; !bad && i < nfds; i++) {
    napi_value el;
    napi_get_element(env, argv[4], i, &el);
    if (napi_get_value_int32(env, el, &kinds[i]) != napi_ok || kinds[i] < 0 || kinds[i] > 2) bad = 1;
  }
  if (bad) {
    free(file); free(cwd); string_array_free(args); string_array_free(envp);
    napi_throw_type_error(env, NULL, "spawn(file, argv, envp, cwd, fds, setsid): bad arguments");
    return NULL;
  }

  int e = 0;
  const char *failed = "pipe2";
  for (uint32_t i = 0; i < nfds && !e; i++) {
    if (kinds[i] == 0) {
      child_end[i] = open("/dev/null", O_RDWR | O_CLOEXEC);
      if (child_end[i] < 0) { e = errno; failed = "open"; }
      continue;
    }
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) { e = errno; break; }
    // kind 1: the child reads p[0], we write p[1]; kind 2: the child writes p[1], we read p[0]
    child_end[i] = kinds[i] == 1 ? p[0] : p[1];
    parent_end[i] = kinds[i] == 1 ? p[1] : p[0];
    fcntl(parent_end[i], F_SETFL, fcntl(parent_end[i], F_GETFL) | O_NONBLOCK);
  }

  pid_t pid = -1;
  if (!e) {
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    // A child end may sit on a descriptor number below nfds: move every end above them first.
    int high[16];
    for (uint32_t i = 0; i < 16; i++) high[i] = -1;
    for (uint32_t i = 0; i < nfds && !e; i++) {
      high[i] = fcntl(child_end[i], F_DUPFD_CLOEXEC, (int)nfds);
      if (high[i] < 0) { e = errno; failed = "fcntl"; }
    }
    for (uint32_t i = 0; i < nfds && !e; i++) posix_spawn_file_actions_adddup2(&fa, high[i], (int)i);
    if (cwd && !e) posix_spawn_file_actions_addchdir_np(&fa, cwd);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (detached ? POSIX_SPAWN_SETSID : 0));
    if (!e) {
      e = posix_spawn(&pid, file, &fa, &attr, args, envp);
      failed = "spawn";
    }
    for (uint32_t i = 0; i < nfds; i++) if (high[i] >= 0) close(high[i]);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
  }
  for (uint32_t i = 0; i < nfds; i++) if (child_end[i] >= 0) close(child_end[i]);
  if (e) {
    for (uint32_t i = 0; i < nfds; i++) if (parent_end[i] >= 0) close(parent_end[i]);
    napi_throw(env, errno_error(env, e, failed, file));
    free(file); free(cwd); string_array_free(args); string_array_free(envp);
    return NULL;
  }
  free(file); free(cwd); string_array_free(args); string_array_free(envp);

  napi_value result, jpid, jfds;
  napi_create_object(env, &result);
  napi_create_int32(env, pid, &jpid);
  napi_create_array_with_length(env, nfds, &jfds);
  for (uint32_t i = 0; i < nfds; i++) {
    napi_value fd;
    napi_create_int32(env, parent_end[i], &fd);
    napi_set_element(env, jfds, i, fd);
  }
  napi_set_named_property(env, result, "pid", jpid);
  napi_set_named_property(env, result, "fds", jfds);
  return result;
}

// wait(pid) -> Promise<[code, signal]>: reap a child spawn() started (blocking waitpid on the thread pool;
// call it once the child's pipes are closed, when its exit is at most moments away).
static napi_value js_wait(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t pid = 0;
  if (argc != 1 || napi_get_value_int32(env, argv[0], &pid) != napi_ok || pid <= 0) {
    napi_throw_type_error(env, NULL, "wait(pid): bad arguments");
    return NULL;
  }
  struct call *c = calloc(1, sizeof *c);
  if (!c) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  c->op = OP_WAIT;
  c->pid = pid;
  return queue(env, c);
}


// ---- fd-relative file system calls (layer extraction, tree reading) ----
//
// Every call takes a directory fd (the root of a layer or of an upper dir, opened once by
// openRoot) and a root-relative path with no "." or ".." component. The parent is resolved
// with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)
// (or, where openat2 is missing, a walk of O_NOFOLLOW | O_DIRECTORY opens), and the last
// component is acted on relative to that parent fd without following it. So whatever the
// tree holds (symlinks to /, a directory swapped for a symlink between two calls), no call
// reaches outside the root. These are synchronous: each is a few syscalls, far less than a
// thread-pool round trip. Errors are thrown as Node's fs errors (code, errno, syscall, path).

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static int have_openat2 = 1;

// One path component, as stored: not empty, not "." or "..", no "/".
static int valid_name(const char *s) {
  return s[0] && strcmp(s, ".") && strcmp(s, "..") && !strchr(s, '/');
}

// Open `rel` ("" for the root itself) beneath `root`, never following a symlink; with O_PATH |
// O_NOFOLLOW in `flags` a trailing symlink is opened itself.
int open_beneath(int root, const char *rel, int flags) {
  if (!rel[0]) rel = ".";
  if (have_openat2) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (unsigned long long)(flags | O_CLOEXEC);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    for (;;) {
      long fd = syscall(SYS_openat2, root, rel, &how, sizeof how);
      if (fd >= 0) return (int)fd;
      if (errno == EAGAIN || errno == EINTR) continue;
      if (errno == ENOSYS) { have_openat2 = 0; break; }
      return -1;
    }
  }
  // the walk: every component opened O_NOFOLLOW relative to the previous one, "." and ".." refused
  if (!strcmp(rel, ".")) return openat(root, ".", flags | O_CLOEXEC);
  size_t len = strlen(rel);
  char *buf = malloc(len + 1);
  if (!buf) { errno = ENOMEM; return -1; }
  memcpy(buf, rel, len + 1);
  int cur = root, fd = -1;
  char *save = NULL;
  char *part = strtok_r(buf, "/", &save);
  while (part) {
    char *next = strtok_r(NULL, "/", &save);
    if (!strcmp(part, ".") || !strcmp(part, "..")) { errno = EXDEV; fd = -1; break; }
    fd = openat(cur, part, next ? (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : (flags | O_NOFOLLOW | O_CLOEXEC));
    if (fd < 0 && next && errno == ENOTDIR) {
      struct stat st;
      if (fstatat(cur, part, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) errno = ELOOP;
    }
    if (cur != root) { int saved = errno; close(cur); errno = saved; }
    if (fd < 0) break;
    cur = fd;
    part = next;
  }
  free(buf);
  return fd;
}

// The last parent directory opened beneath a root that asked for it (openRoot's `cache`): an
// extraction writes many entries into one directory in a row. Only the extractor's root asks:
// it is the one writer of its tree, and every removal drops the cache, so a cached fd always
// names the directory that its path names (nothing in an extraction renames).
#define CACHE_ROOTS 4096
static unsigned char cache_ok[CACHE_ROOTS];
static int cache_root = -1, cache_fd = -1;
static char *cache_rel = NULL;

static void cache_drop(void) {
  if (cache_fd >= 0) close(cache_fd);
  free(cache_rel);
  cache_root = cache_fd = -1;
  cache_rel = NULL;
}

// Split `rel` into its parent (opened as a directory beneath root) and its last component.
struct leaf { int dir; int owned; char *name; char *copy; };

static int open_parent_cached(int root, const char *rel, struct leaf *out, int use_cache) {
  out->dir = -1;
  out->owned = 0;
  out->copy = strdup(rel);
  if (!out->copy) { errno = ENOMEM; return -1; }
  char *slash = strrchr(out->copy, '/');
  const char *parent = "";
  if (slash) { *slash = 0; out->name = slash + 1; parent = out->copy; }
  else out->name = out->copy;
  if (!valid_name(out->name)) { errno = EINVAL; return -1; }
  if (!parent[0]) { out->dir = root; return 0; } // the root itself
  int cached = use_cache && root < CACHE_ROOTS && cache_ok[root];
  if (cached && cache_root == root && !strcmp(cache_rel, parent)) { out->dir = cache_fd; return 0; }
  int fd = open_beneath(root, parent, O_PATH | O_DIRECTORY);
  if (fd < 0) return -1;
  char *copy = cached ? strdup(parent) : NULL;
  if (copy) {
    cache_drop();
    cache_root = root;
    cache_fd = fd;
    cache_rel = copy;
  } else out->owned = 1;
  out->dir = fd;
  return 0;
}

static int open_parent(int root, const char *rel, struct leaf *out) {
  return open_parent_cached(root, rel, out, 1);
}

static void leaf_close(struct leaf *l) {
  int saved = errno;
  if (l->dir >= 0 && l->owned) close(l->dir);
  free(l->copy);
  errno = saved;
}

// The arguments of a sync call: root fd, rel path, then the rest checked by each function.
struct args { size_t argc; napi_value v[8]; int root; char *rel; };

static int get_args(napi_env env, napi_callback_info info, struct args *a, size_t want, const char *usage) {
  a->argc = 8;
  a->rel = NULL;
  napi_get_cb_info(env, info, &a->argc, a->v, NULL, NULL);
  int bad = a->argc != want;
  int32_t root = -1;
  if (!bad && napi_get_value_int32(env, a->v[0], &root) != napi_ok) bad = 1;
  a->root = root;
  if (!bad && want > 1) { a->rel = string_arg(env, a->v[1], &bad); if (!a->rel) bad = 1; }
  if (bad || a->root < 0) {
    free(a->rel);
    a->rel = NULL;
    napi_throw_type_error(env, NULL, usage);
    return -1;
  }
  return 0;
}

// Throws the errno as an error naming the call's path, and frees that path.
static napi_value fail_args(napi_env env, int e, const char *syscall, struct args *a) {
  napi_throw(env, errno_error(env, e, syscall, a->rel));
  free(a->rel);
  return NULL;
}

static int int_arg(napi_env env, napi_value v, int64_t *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || d != d || d < -9007199254740991.0 || d > 9007199254740991.0) return -1;
  *out = (int64_t)d;
  return 0;
}

static napi_value throw_errno(napi_env env, int e, const char *syscall, const char *rel) {
  napi_throw(env, errno_error(env, e, syscall, rel));
  return NULL;
}

static napi_value js_bool(napi_env env, int v) {
  napi_value r;
  napi_get_boolean(env, v, &r);
  return r;
}

static napi_value js_undefined(napi_env env) {
  napi_value r;
  napi_get_undefined(env, &r);
  return r;
}

// chmod of `name` in `dir` without following it: fchmodat2(AT_SYMLINK_NOFOLLOW) (Linux 6.6+), else
// through an O_PATH fd of the entry itself; symlinks have no mode of their own and are left alone.
int chmod_nofollow(int dir, const char *name, mode_t mode) {
  static int have_fchmodat2 = 1;
  if (have_fchmodat2) {
    if (syscall(SYS_fchmodat2, dir, name, mode, AT_SYMLINK_NOFOLLOW) == 0) return 0;
    if (errno == EOPNOTSUPP) return 0; // a symlink
    if (errno != ENOSYS) return -1;
    have_fchmodat2 = 0;
  }
  int fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st;
  int rc = fstat(fd, &st);
  if (rc == 0 && !S_ISLNK(st.st_mode)) {
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    rc = chmod(proc, mode);
  }
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}

// openRoot(path, cache) -> fd: a directory, not a symlink, close-on-exec. With `cache`, the last
// parent directory resolved beneath it is kept open (see cache_ok above).
static napi_value x_open_root(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value v[2];
  napi_get_cb_info(env, info, &argc, v, NULL, NULL);
  int bad = argc != 2;
  bool cache = false;
  char *path = bad ? NULL : string_arg(env, v[0], &bad);
  if (!bad && napi_get_value_bool(env, v[1], &cache) != napi_ok) bad = 1;
  if (bad || !path) { free(path); napi_throw_type_error(env, NULL, "openRoot(path, cache): bad arguments"); return NULL; }
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) { int e = errno; napi_value r = throw_errno(env, e, "open", path); free(path); return r; }
  free(path);
  if (fd < CACHE_ROOTS) cache_ok[fd] = cache;
  napi_value r;
  napi_create_int32(env, fd, &r);
  return r;
}

// close(fd)
static napi_value x_close(napi_env env, napi_callback_info info) {
  struct args a;
  if (get_args(env, info, &a, 1, "close(fd): bad arguments") < 0) return NULL;
  if (cache_root == a.root) cache_drop();
  if (a.root < CACHE_ROOTS) cache_ok[a.root] = 0;
  close(a.root);
  return js_undefined(env);
}

// lstat(root, rel) -> [mode, uid, gid, size, mtimeSec, mtimeNsec, ino, dev, nlink, rdev] | null when absent
static napi_value x_lstat(napi_env env, napi_callback_info info) {
  struct args a;
  if (get_args(env, info, &a, 2, "lstat(root, rel): bad arguments") < 0) return NULL;
  struct stat st;
  int rc;
  if (!a.rel[0]) rc = fstat(a.root, &st);
  else {
    struct leaf l;
    rc = open_parent(a.root, a.rel, &l);
    if (rc == 0) rc = fstatat(l.dir, l.name, &st, AT_SYMLINK_NOFOLLOW);
    leaf_close(&l);
  }
  if (rc < 0) {
    if (errno == ENOENT) { free(a.rel); napi_value n; napi_get_null(env, &n); return n; }
    return fail_args(env, errno, "lstat", &a);
  }
  free(a.rel);
  double f[10] = { st.st_mode, st.st_uid, st.st_gid, (double)st.st_size, (double)st.st_mtim.tv_sec, (double)st.st_mtim.tv_nsec,
                   (double)st.st_ino, (double)st.st_dev, (double)st.st_nlink, (double)st.st_rdev };
  napi_value arr;
  napi_create_array_with_length(env, 10, &arr);
  for (uint32_t i = 0; i < 10; i++) {
    napi_value n;
    napi_create_double(env, f[i], &n);
    napi_set_element(env, arr, i, n);
  }
  return arr;
}

// readlink(root, rel) -> string
static napi_value x_readlink(napi_env env, napi_callback_info info) {
  struct args a;
  if (get_args(env, info, &a, 2, "readlink(root, rel): bad arguments") < 0) return NULL;
  struct leaf l;
  char buf[PATH_MAX + 1];
  ssize_t n = -1;
  if (open_parent(a.root, a.rel, &l) == 0) n = readlinkat(l.dir, l.name, buf, PATH_MAX);
  leaf_close(&l);
  if (n < 0) return fail_args(env, errno, "readlink", &a);
  free(a.rel);
  napi_value s;
  napi_create_string_utf8(env, buf, (size_t)n, &s);
  return s;
}

// readdir(root, rel) -> string[] (without "." and ".."), of a directory reached without symlinks
static napi_value x_readdir(napi_env env, napi_callback_info info) {
  struct args a;
  if (get_args(env, info, &a, 2, "readdir(root, rel): bad arguments") < 0) return NULL;
  int fd = open_beneath(a.root, a.rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  DIR *d = fd < 0 ? NULL : fdopendir(fd);
  if (!d) {
    int e = errno;
    if (fd >= 0) close(fd);
    napi_value r = throw_errno(env, e, "opendir", a.rel);
    free(a.rel);
    return r;
  }
  napi_value arr;
  napi_create_array(env, &arr);
  uint32_t i = 0;
  struct dirent *de;
  errno = 0;
  while ((de = readdir(d))) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    napi_value s;
    napi_create_string_utf8(env, de->d_name, NAPI_AUTO_LENGTH, &s);
    napi_set_element(env, arr, i++, s);
    errno = 0;
  }
  int e = errno;
  closedir(d);
  if (e) return fail_args(env, e, "readdir", &a);
  free(a.rel);
  return arr;
}
// Opens for reading the regular file an O_PATH fd names (through /proc/self/fd, so a device or
// fifo is never opened: that would run its driver), and closes the O_PATH fd. A directory gives
// dir_errno, any other non-regular file EINVAL.
static int reopen_regular(int path_fd, int dir_errno) {
  if (path_fd < 0) return -1;
  int fd = -1;
  struct stat st;
  int rc = fstat(path_fd, &st);
  if (rc == 0 && !S_ISREG(st.st_mode)) { errno = S_ISDIR(st.st_mode) ? dir_errno : EINVAL; rc = -1; }
  if (rc == 0) {
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", path_fd);
    fd = open(proc, O_RDONLY | O_CLOEXEC);
  }
  int e = errno;
  close(path_fd);
  errno = e;
  return fd;
}

// The fd as a JS number, or the errno thrown naming the path; frees the args' path either way.
static napi_value fd_or_throw(napi_env env, int fd, struct args *a) {
  if (fd < 0) return fail_args(env, errno, "open", a);
  free(a->rel);
  napi_value r;
  napi_create_int32(env, fd, &r);
  return r;
}


// openRead(root, rel) -> fd of a regular file (O_RDONLY, never a symlink, fifo or device)
static napi_value x_open_read(napi_env env, napi_callback_info info) {
  struct args a;
  if (get_args(env, info, &a, 2, "openRead(root, rel): bad arguments") < 0) return NULL;
  // an O_PATH fd first: a device or fifo swapped in after the caller's lstat is never opened
  // (opening a device node runs its driver), only the regular file it names is, through it
  return fd_or_throw(env, reopen_regular(open_beneath(a.root, a.rel, O_PATH | O_NOFOLLOW), EINVAL), &a);
}

// create(root, rel) -> fd of a new regular file (O_WRONLY | O_EXCL, mode 0600), or -1 when something is there
static napi_value x_create(napi_env env, napi_callback_info info) {
  struct args a;
  if (get_args(env, info, &a, 2, "create(root, rel): bad arguments") < 0) return NULL;
  struct leaf l;
  int fd = -1;
  if (open_parent(a.root, a.rel, &l) == 0) fd = openat(l.dir, l.name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  leaf_close(&l);
  if (fd < 0 && errno != EEXIST) return fail_args(env, errno, "open", &a);
  free(a.rel);
  napi_value r;
  napi_create_int32(env, fd, &r);
  return r;
}

// mkdir(root, rel, mode, uid, gid) -> false when a non-directory is in the way; an existing
// directory is kept and given the owner and mode.
static napi_value x_mkdir(napi_env env, napi_callback_info info) {
  struct args a;
  if (get_args(env, info, &a, 5, "mkdir(root, rel, mode, uid, gid): bad arguments") < 0) return NULL;
  int64_t mode, uid, gid;
  if (int_arg(env, a.v[2], &mode) || int_arg(env, a.v[3], &uid) || int_arg(env, a.v[4], &gid)) {
    free(a.rel); napi_throw_type_error(env, NULL, "mkdir(root, rel, mode, uid, gid): bad arguments"); return NULL;
  }
  struct leaf l;
  const char *failed = "openat2";
  int ok = 1, rc = open_parent(a.root, a.rel, &l);
  if (rc == 0) {
    failed = "mkdir";
    rc = mkdirat(l.dir, l.name, 0700);
    if (rc < 0 && errno == EEXIST) {
      struct stat st;
      rc = fstatat(l.dir, l.name, &st, AT_SYMLINK_NOFOLLOW);
      if (rc == 0 && !S_ISDIR(st.st_mode)) ok = 0;
    }
  }
  if (rc == 0 && ok) {
    failed = "open";
    int fd = openat(l.dir, l.name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    rc = fd < 0 ? -1 : 0;
    if (rc == 0) { failed = "fchown"; rc = fchown(fd, (uid_t)uid, (gid_t)gid); }
    if (rc == 0) { failed = "fchmod"; rc = fchmod(fd, (mode_t)(mode & 07777)); }
    if (fd >= 0) { int saved = errno; close(fd); errno = saved; }
  }
  leaf_close(&l);
  if (rc < 0) return fail_args(env, errno, failed, &a);
  free(a.rel);
  return js_bool(env, ok);
}

// Owner and time of `name` in `dir`, not following it.
static int own_and_time(int dir, const char *name, int64_t uid, int64_t gid, int64_t sec, int64_t nsec, const char **failed) {
  *failed = "fchownat";
  if (fchownat(dir, name, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW) < 0) return -1;
  struct timespec ts[2] = { { sec, nsec }, { sec, nsec } };
  *failed = "utimensat";
  return utimensat(dir, name, ts, AT_SYMLINK_NOFOLLOW);
}

// mknod(root, rel, kind, mode, major, minor, uid, gid, sec) -> false when something is there.
// kind: 'c', 'b' or 'p'. Mode is applied exactly (no umask), owner and mtime without following.
static napi_value x_mknod(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value v[9];
  napi_get_cb_info(env, info, &argc, v, NULL, NULL);
  int bad = argc != 9;
  int32_t root = -1;
  char *rel = NULL, *kind = NULL;
  int64_t mode = 0, major = 0, minor = 0, uid = 0, gid = 0, sec = 0;
  if (!bad && napi_get_value_int32(env, v[0], &root) != napi_ok) bad = 1;
  if (!bad) rel = string_arg(env, v[1], &bad);
  if (!bad) kind = string_arg(env, v[2], &bad);
  if (!bad && (int_arg(env, v[3], &mode) || int_arg(env, v[4], &major) || int_arg(env, v[5], &minor) || int_arg(env, v[6], &uid) || int_arg(env, v[7], &gid) || int_arg(env, v[8], &sec))) bad = 1;
  if (!bad && (!rel || !kind || root < 0 || strlen(kind) != 1 || !strchr("cbp", kind[0]) || major < 0 || minor < 0 || major > 0xfffff || minor > 0xfffff)) bad = 1;
  if (bad) { free(rel); free(kind); napi_throw_type_error(env, NULL, "mknod(root, rel, kind, mode, major, minor, uid, gid, mtime): bad arguments"); return NULL; }
  mode_t type = kind[0] == 'c' ? S_IFCHR : kind[0] == 'b' ? S_IFBLK : S_IFIFO;
  free(kind);
  struct leaf l;
  const char *failed = "openat2";
  int ok = 1, rc = open_parent(root, rel, &l);
  if (rc == 0) {
    failed = "mknod";
    rc = mknodat(l.dir, l.name, type | 0600, makedev((unsigned)major, (unsigned)minor));
    if (rc < 0 && errno == EEXIST) { ok = 0; rc = 0; }
    else if (rc == 0) {
      // chown first: it clears the setuid and setgid bits that chmod then sets
      rc = own_and_time(l.dir, l.name, uid, gid, sec, 0, &failed);
      if (rc == 0) { failed = "fchmodat"; rc = chmod_nofollow(l.dir, l.name, (mode_t)(mode & 07777)); }
    }
  }
  leaf_close(&l);
  if (rc < 0) { napi_value r = throw_errno(env, errno, failed, rel); free(rel); return r; }
  free(rel);
  return js_bool(env, ok);
}

// symlink(root, rel, target, uid, gid, sec) -> false when something is there
static napi_value x_symlink(napi_env env, napi_callback_info info) {
  struct args a;
  if (get_args(env, info, &a, 6, "symlink(root, rel, target, uid, gid, mtime): bad arguments") < 0) return NULL;
  int bad = 0;
  char *target = string_arg(env, a.v[2], &bad);
  int64_t uid, gid, sec;
  if (bad || !target || int_arg(env, a.v[3], &uid) || int_arg(env, a.v[4], &gid) || int_arg(env, a.v[5], &sec)) {
    free(a.rel); free(target); napi_throw_type_error(env, NULL, "symlink(root, rel, target, uid, gid, mtime): bad arguments"); return NULL;
  }
  struct leaf l;
  const char *failed = "openat2";
  int ok = 1, rc = open_parent(a.root, a.rel, &l);
  if (rc == 0) {
    failed = "symlink";
    rc = symlinkat(target, l.dir, l.name);
    if (rc < 0 && errno == EEXIST) { ok = 0; rc = 0; }
    else if (rc == 0) rc = own_and_time(l.dir, l.name, uid, gid, sec, 0, &failed);
  }
  leaf_close(&l);
  free(target);
  if (rc < 0) return fail_args(env, errno, failed, &a);
  free(a.rel);
  return js_bool(env, ok);
}

// link(root, existingRel, rel) -> false when something is at rel; the existing entry is not followed
static napi_value x_link(napi_env env, napi_callback_info info) {
  struct args a;
  if (get_args(env, info, &a, 3, "link(root, existing, rel): bad arguments") < 0) return NULL;
  int bad = 0;
  char *rel = string_arg(env, a.v[2], &bad);
  if (bad || !rel) { free(a.rel); free(rel); napi_throw_type_error(env, NULL, "link(root, existing, rel): bad arguments"); return NULL; }
  struct leaf from, to;
  to.dir = -1; to.owned = 0; to.copy = NULL;
  // the existing entry's parent stays out of the cache: opening the new one's could evict it
  int ok = 1, rc = open_parent_cached(a.root, a.rel, &from, 0);
  if (rc == 0) rc = open_parent(a.root, rel, &to);
  if (rc == 0) {
    rc = linkat(from.dir, from.name, to.dir, to.name, 0);
    if (rc < 0 && errno == EEXIST) { ok = 0; rc = 0; }
  }
  leaf_close(&from);
  leaf_close(&to);
  if (rc < 0) { napi_value r = throw_errno(env, errno, "link", rel); free(a.rel); free(rel); return r; }
  free(a.rel);
  free(rel);
  return js_bool(env, ok);
}

// utimes(root, rel, sec, nsec, onlyDir): the entry itself, never what it points to; with onlyDir,
// nothing is done unless the entry is (still) a directory. False when absent.
static napi_value x_utimes(napi_env env, napi_callback_info info) {
  struct args a;
  if (get_args(env, info, &a, 5, "utimes(root, rel, sec, nsec, onlyDir): bad arguments") < 0) return NULL;
  int64_t sec, nsec;
  bool only_dir = false;
  if (int_arg(env, a.v[2], &sec) || int_arg(env, a.v[3], &nsec) || nsec < 0 || nsec > 999999999 || napi_get_value_bool(env, a.v[4], &only_dir) != napi_ok) {
    free(a.rel); napi_throw_type_error(env, NULL, "utimes(root, rel, sec, nsec, onlyDir): bad arguments"); return NULL;
  }
  struct leaf l;
  int rc = open_parent(a.root, a.rel, &l);
  struct stat st;
  if (rc == 0 && only_dir) {
    rc = fstatat(l.dir, l.name, &st, AT_SYMLINK_NOFOLLOW);
    if (rc == 0 && !S_ISDIR(st.st_mode)) { leaf_close(&l); free(a.rel); return js_bool(env, 0); }
  }
  if (rc == 0) {
    struct timespec ts[2] = { { sec, nsec }, { sec, nsec } };
    rc = utimensat(l.dir, l.name, ts, AT_SYMLINK_NOFOLLOW);
  }
  leaf_close(&l);
  if (rc < 0) {
    int e = errno;
    napi_value r = e == ENOENT || e == ENOTDIR || e == ELOOP ? js_bool(env, 0) : throw_errno(env, e, "utimensat", a.rel);
    free(a.rel);
    return r;
  }
  free(a.rel);
  return js_bool(env, 1);
}

// An O_PATH fd of `rel` itself (a trailing symlink included), and its /proc/self/fd name.
static int open_entry(int root, const char *rel, char *proc, size_t size) {
  int fd = open_beneath(root, rel, O_PATH | O_NOFOLLOW);
  if (fd >= 0) snprintf(proc, size, "/proc/self/fd/%d", fd);
  return fd;
}

// setxattr(root, rel, name, value): by syscall on the entry itself (symlinks not followed)
static napi_value x_setxattr(napi_env env, napi_callback_info info) {
  struct args a;
  if (get_args(env, info, &a, 4, "setxattr(root, rel, name, value): bad arguments") < 0) return NULL;
  int bad = 0;
  char *name = string_arg(env, a.v[2], &bad);
  void *data = NULL;
  size_t len = 0;
  bool is_buffer = false;
  if (!bad && (napi_is_buffer(env, a.v[3], &is_buffer) != napi_ok || !is_buffer || napi_get_buffer_info(env, a.v[3], &data, &len) != napi_ok)) bad = 1;
  if (bad || !name || !name[0]) { free(a.rel); free(name); napi_throw_type_error(env, NULL, "setxattr(root, rel, name, value): bad arguments"); return NULL; }
  char proc[64];
  int fd = open_entry(a.root, a.rel, proc, sizeof proc);
  int rc = fd < 0 ? -1 : setxattr(proc, name, len ? data : "", len, 0);
  if (fd >= 0) { int saved = errno; close(fd); errno = saved; }
  free(name);
  if (rc < 0) return fail_args(env, errno, fd < 0 ? "openat2" : "setxattr", &a);
  free(a.rel);
  return js_undefined(env);
}

// fsetxattr(fd, name, value): on an fd create() returned
static napi_value x_fsetxattr(napi_env env, napi_callback_info info) {
  struct args a;
  if (get_args(env, info, &a, 3, "fsetxattr(fd, name, value): bad arguments") < 0) return NULL;
  int bad = 0;
  char *name = a.rel; // get_args read the second argument as a string
  void *data = NULL;
  size_t len = 0;
  bool is_buffer = false;
  if (napi_is_buffer(env, a.v[2], &is_buffer) != napi_ok || !is_buffer || napi_get_buffer_info(env, a.v[2], &data, &len) != napi_ok) bad = 1;
  if (bad || !name || !name[0]) { free(name); napi_throw_type_error(env, NULL, "fsetxattr(fd, name, value): bad arguments"); return NULL; }
  int rc = fsetxattr(a.root, name, len ? data : "", len, 0);
  if (rc < 0) { napi_value r = throw_errno(env, errno, "fsetxattr", name); free(name); return r; }
  free(name);
  return js_undefined(env);
}

// xattrs(root, rel) -> [name, Buffer, name, Buffer, ...] of the entry itself
static napi_value x_xattrs(napi_env env, napi_callback_info info) {
  struct args a;
  if (get_args(env, info, &a, 2, "xattrs(root, rel): bad arguments") < 0) return NULL;
  char proc[64];
  int fd = open_entry(a.root, a.rel, proc, sizeof proc);
  if (fd < 0) return fail_args(env, errno, "openat2", &a);
  napi_value arr;
  napi_create_array(env, &arr);
  char names[65536];
  ssize_t n = listxattr(proc, names, sizeof names);
  if (n < 0 && (errno == ENOTSUP || errno == EPERM)) n = 0;
  uint32_t k = 0;
  for (ssize_t off = 0; n > 0 && off < n; off += (ssize_t)strlen(names + off) + 1) {
    static char value[65536];
    ssize_t vn = getxattr(proc, names + off, value, sizeof value);
    if (vn < 0) { if (errno == ENODATA) continue; n = -1; break; }
    napi_value key, buf;
    napi_create_string_utf8(env, names + off, NAPI_AUTO_LENGTH, &key);
    napi_create_buffer_copy(env, (size_t)vn, value, NULL, &buf);
    napi_set_element(env, arr, k++, key);
    napi_set_element(env, arr, k++, buf);
  }
  int e = errno;
  close(fd);
  if (n < 0) return fail_args(env, e, "getxattr", &a);
  free(a.rel);
  return arr;
}

// Remove the directory `name` in `dir` and everything in it, without following symlinks or
// crossing into another file system.
static int remove_tree(int dir, const char *name, dev_t dev, int depth) {
  if (depth > 4096) { errno = ELOOP; return -1; }
  int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st;
  if (fstat(fd, &st) < 0) { int e = errno; close(fd); errno = e; return -1; }
  if (st.st_dev != dev) { close(fd); errno = EXDEV; return -1; }
  DIR *d = fdopendir(fd);
  if (!d) { int e = errno; close(fd); errno = e; return -1; }
  struct dirent *de;
  int rc = 0;
  while (rc == 0 && (errno = 0, de = readdir(d))) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    if (unlinkat(fd, de->d_name, 0) == 0) continue;
    if (errno != EISDIR) { rc = -1; break; }
    rc = remove_tree(fd, de->d_name, dev, depth + 1);
  }
  if (rc == 0 && errno) rc = -1;
  int e = errno;
  closedir(d);
  if (rc < 0) { errno = e; return -1; }
  return unlinkat(dir, name, AT_REMOVEDIR);
}

// remove(root, rel) -> false when nothing was there: unlinks the entry, or removes a directory
// with everything below it
static napi_value x_remove(napi_env env, napi_callback_info info) {
  struct args a;
  if (get_args(env, info, &a, 2, "remove(root, rel): bad arguments") < 0) return NULL;
  cache_drop(); // what goes may be the cached directory or hold it
  struct leaf l;
  int rc = open_parent(a.root, a.rel, &l);
  if (rc == 0) {
    rc = unlinkat(l.dir, l.name, 0);
    if (rc < 0 && errno == EISDIR) {
      struct stat st;
      rc = fstat(l.dir, &st);
      if (rc == 0) rc = remove_tree(l.dir, l.name, st.st_dev, 0);
    }
  }
  leaf_close(&l);
  if (rc < 0) {
    int e = errno;
    if (e == ENOENT) { free(a.rel); return js_bool(env, 0); }
    napi_value r = throw_errno(env, e, "remove", a.rel);
    free(a.rel);
    return r;
  }
  free(a.rel);
  return js_bool(env, 1);
}

// ---- resolution inside a root, symlinks followed in scope (a container's rootfs) ----
//
// A container path ("/etc/passwd", a WorkingDir) is resolved as if the root were "/": symlinks,
// absolute or relative, and ".." never lead above it (Docker's FollowSymlinkInScope), and the
// entry is opened in the same step, so a running container that swaps a component for a symlink
// between a check and an open cannot point the daemon at a host file. openat2(RESOLVE_IN_ROOT)
// does it in the kernel; where it is missing (or gives up: a rename race, more than the kernel's
// 40 links, a magic link) a walk of O_NOFOLLOW opens from held directory fds does it by hand:
// each symlink's text is read and spliced in front of what is left, absolute ones restart at the
// root, ".." pops a directory this walk opened itself (never the kernel's ".."), so nothing the
// tree holds is ever followed by the kernel.

#define IN_ROOT_MAX_LINKS 255

struct mk { int on; mode_t mode; uid_t uid; gid_t gid; };

// Make `name` in `dir` a directory (kept if one is there) owned by mk->uid:gid with mk->mode; EEXIST is not an error.
static int mkdir_owned(int dir, const char *name, const struct mk *mk) {
  if (mkdirat(dir, name, 0700) < 0) return errno == EEXIST ? 0 : -1;
  int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno == ELOOP || errno == ENOTDIR ? 0 : -1; // swapped already: the walk looks again
  int rc = fchown(fd, mk->uid, mk->gid);
  if (rc == 0) rc = fchmod(fd, mk->mode & 07777);
  int e = errno;
  close(fd);
  errno = e;
  return rc;
}

// The walk: an O_PATH fd of what `path` names in root (a trailing symlink followed), or -1 with errno.
static int walk_in_root(int root, const char *path, const struct mk *mk) {
  size_t cap = strlen(path) + 1, len;
  if (cap > 65536) { errno = ENAMETOOLONG; return -1; }
  char *rest = malloc(cap);
  int *stack = malloc(64 * sizeof *stack);
  size_t depth = 0, stack_cap = 64;
  if (!rest || !stack) { free(rest); free(stack); errno = ENOMEM; return -1; }
  memcpy(rest, path, cap);
  stack[0] = root;
  int links = 0, rc = 0, e = 0;
  size_t pos = 0;
  char link[PATH_MAX + 1];
  for (;;) {
    while (rest[pos] == '/') pos++;
    if (!rest[pos]) break;
    size_t end = pos;
    while (rest[end] && rest[end] != '/') end++;
    char saved = rest[end];
    rest[end] = 0;
    const char *part = rest + pos;
    size_t next = end + (saved ? 1 : 0);
    if (!strcmp(part, ".")) { rest[end] = saved; pos = next; continue; }
    if (!strcmp(part, "..")) {
      if (depth > 0) close(stack[depth--]);
      rest[end] = saved;
      pos = next;
      continue;
    }
    int cur = stack[depth];
    int fd = openat(cur, part, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && mk->on) {
      if (mkdir_owned(cur, part, mk) < 0) { e = errno; rc = -1; break; }
      fd = openat(cur, part, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) { e = errno; rc = -1; break; }
    struct stat st;
    if (fstat(fd, &st) < 0) { e = errno; close(fd); rc = -1; break; }
    rest[end] = saved;
    pos = next;
    if (S_ISLNK(st.st_mode)) {
      ssize_t n = ++links > IN_ROOT_MAX_LINKS ? (errno = ELOOP, -1) : readlinkat(fd, "", link, PATH_MAX);
      if (n < 0) { e = errno; close(fd); rc = -1; break; }
      close(fd);
      link[n] = 0;
      if (link[0] == '/') while (depth > 0) close(stack[depth--]);
      // rest becomes link + "/" + what was left
      size_t left = strlen(rest + pos);
      len = (size_t)n + 1 + left + 1;
      if (len > 65536) { e = ENAMETOOLONG; rc = -1; break; }
      char *joined = malloc(len);
      if (!joined) { e = ENOMEM; rc = -1; break; }
      memcpy(joined, link, (size_t)n);
      joined[n] = '/';
      memcpy(joined + n + 1, rest + pos, left + 1);
      free(rest);
      rest = joined;
      pos = 0;
      continue;
    }
    size_t k = pos;
    while (rest[k] == '/') k++;
    if (rest[k] && !S_ISDIR(st.st_mode)) { e = ENOTDIR; close(fd); rc = -1; break; }
    if (depth + 1 >= stack_cap) {
      int *grown = realloc(stack, stack_cap * 2 * sizeof *stack);
      if (!grown) { e = ENOMEM; close(fd); rc = -1; break; }
      stack = grown;
      stack_cap *= 2;
    }
    stack[++depth] = fd;
  }
  int out = -1;
  if (rc == 0) {
    if (depth > 0) out = stack[depth--];
    else { out = openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC); if (out < 0) e = errno; }
  }
  while (depth > 0) close(stack[depth--]);
  free(stack);
  free(rest);
  if (out < 0) errno = e;
  return out;
}

// An O_PATH fd of what `path` names inside root (symlinks followed in scope), or -1 with errno.
// With mk->on, missing directories on the way (and at the end) are made.
static int resolve_in_root(int root, const char *path, const struct mk *mk) {
  if (have_openat2) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = O_PATH | O_CLOEXEC | (mk->on ? O_DIRECTORY : 0);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    const char *p = path[0] ? path : ".";
    for (int tries = 0; tries < 16; tries++) {
      long fd = syscall(SYS_openat2, root, p, &how, sizeof how);
      if (fd >= 0) return (int)fd;
      if (errno == EAGAIN || errno == EINTR) continue;
      if (errno == ENOSYS) have_openat2 = 0;
      // absent (and nothing to make) is final; anything else is settled by the walk
      if (errno == ENOENT && !mk->on) return -1;
      break;
    }
  }
  return walk_in_root(root, path, mk);
}

// openInRoot(root, path) -> fd (O_RDONLY) of the regular file `path` names inside root, symlinks
// followed in scope. A fifo, device or directory is never opened (EINVAL for a non-regular file).
static napi_value x_open_in_root(napi_env env, napi_callback_info info) {
  struct args a;
  if (get_args(env, info, &a, 2, "openInRoot(root, path): bad arguments") < 0) return NULL;
  struct mk none = { 0, 0, 0, 0 };
  return fd_or_throw(env, reopen_regular(resolve_in_root(a.root, a.rel, &none), EISDIR), &a);
}

// mkdirInRoot(root, path, mode, uid, gid): `mkdir -p` of `path` inside root, symlinks followed in
// scope (a dangling one is made where it points); what is made gets the owner and mode, what
// exists is kept. ENOTDIR when a non-directory is in the way.
static napi_value x_mkdir_in_root(napi_env env, napi_callback_info info) {
  struct args a;
  if (get_args(env, info, &a, 5, "mkdirInRoot(root, path, mode, uid, gid): bad arguments") < 0) return NULL;
  int64_t mode, uid, gid;
  if (int_arg(env, a.v[2], &mode) || int_arg(env, a.v[3], &uid) || int_arg(env, a.v[4], &gid) || uid < 0 || gid < 0 || uid > 4294967294LL || gid > 4294967294LL) {
    free(a.rel); napi_throw_type_error(env, NULL, "mkdirInRoot(root, path, mode, uid, gid): bad arguments"); return NULL;
  }
  struct mk mk = { 1, (mode_t)(mode & 07777), (uid_t)uid, (gid_t)gid };
  int fd = resolve_in_root(a.root, a.rel, &mk);
  if (fd >= 0) {
    struct stat st;
    int rc = fstat(fd, &st);
    if (rc == 0 && !S_ISDIR(st.st_mode)) { errno = ENOTDIR; rc = -1; }
    int e = errno;
    close(fd);
    errno = e;
    if (rc < 0) fd = -1;
  }
  if (fd < 0) return fail_args(env, errno, "mkdir", &a);
  free(a.rel);
  return js_undefined(env);
}

#include "probe.c"

static napi_value init(napi_env env, napi_value exports) {
  // tests run the O_NOFOLLOW walk that kernels before 5.6 get (src/host/beneath.test.ts)
  if (getenv("BERTH_TEST_NO_OPENAT2")) have_openat2 = 0;
  napi_property_descriptor props[] = {
    { "probeSpawn", NULL, js_probe_spawn, NULL, NULL, NULL, napi_default, NULL },
    { "mount", NULL, js_mount, NULL, NULL, NULL, napi_default, NULL },
    { "umount", NULL, js_umount, NULL, NULL, NULL, napi_default, NULL },
    { "spawn", NULL, js_spawn, NULL, NULL, NULL, napi_default, NULL },
    { "wait", NULL, js_wait, NULL, NULL, NULL, napi_default, NULL },
    { "openRoot", NULL, x_open_root, NULL, NULL, NULL, napi_default, NULL },
    { "close", NULL, x_close, NULL, NULL, NULL, napi_default, NULL },
    { "lstat", NULL, x_lstat, NULL, NULL, NULL, napi_default, NULL },
    { "readlink", NULL, x_readlink, NULL, NULL, NULL, napi_default, NULL },
    { "readdir", NULL, x_readdir, NULL, NULL, NULL, napi_default, NULL },
    { "openRead", NULL, x_open_read, NULL, NULL, NULL, napi_default, NULL },
    { "create", NULL, x_create, NULL, NULL, NULL, napi_default, NULL },
    { "mkdir", NULL, x_mkdir, NULL, NULL, NULL, napi_default, NULL },
    { "mknod", NULL, x_mknod, NULL, NULL, NULL, napi_default, NULL },
    { "symlink", NULL, x_symlink, NULL, NULL, NULL, napi_default, NULL },
    { "link", NULL, x_link, NULL, NULL, NULL, napi_default, NULL },
    { "utimes", NULL, x_utimes, NULL, NULL, NULL, napi_default, NULL },
    { "setxattr", NULL, x_setxattr, NULL, NULL, NULL, napi_default, NULL },
    { "fsetxattr", NULL, x_fsetxattr, NULL, NULL, NULL, napi_default, NULL },
    { "xattrs", NULL, x_xattrs, NULL, NULL, NULL, napi_default, NULL },
    { "remove", NULL, x_remove, NULL, NULL, NULL, napi_default, NULL },
    { "openInRoot", NULL, x_open_in_root, NULL, NULL, NULL, napi_default, NULL },
    { "mkdirInRoot", NULL, x_mkdir_in_root, NULL, NULL, NULL, napi_default, NULL },
    { "copyTree", NULL, x_copy_tree, NULL, NULL, NULL, napi_default, NULL },
    { "sendFile", NULL, x_send_file, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
