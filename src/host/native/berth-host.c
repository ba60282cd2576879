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
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

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
static napi_value errno_error(napi_env env, int e, const char *syscall, const char *path) {
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
static char *string_arg(napi_env env, napi_value v, int *bad) {
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
  napi_value promise, name;
  napi_create_promise(env, &c->deferred, &promise);
  napi_create_string_utf8(env, "berth-host", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute, complete, c, &c->work);
  napi_queue_async_work(env, c->work);
  return promise;
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

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "mount", NULL, js_mount, NULL, NULL, NULL, napi_default, NULL },
    { "umount", NULL, js_umount, NULL, NULL, NULL, napi_default, NULL },
    { "spawn", NULL, js_spawn, NULL, NULL, NULL, napi_default, NULL },
    { "wait", NULL, js_wait, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
