// berth's one native addon: the system calls that otherwise cost a process each on the
// container start path (mount(8) and umount(8) take 5-7 ms here, the calls themselves
// under 1 ms). Each call runs on libuv's thread pool and settles a promise.
// docs/decisions/0008-native-mount.md says why and what falls back when it is absent.
#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

enum op { OP_MOUNT, OP_UMOUNT };

struct call {
  napi_async_work work;
  napi_deferred deferred;
  enum op op;
  char *source, *target, *fstype, *data;
  unsigned long flags;
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
  int rc = c->op == OP_MOUNT ? mount(c->source, c->target, c->fstype, c->flags, c->data)
                             : umount2(c->target, (int)c->flags);
  c->err = rc == 0 ? 0 : errno;
}

// Settle with undefined, or reject with an Error carrying Node's errno conventions (code, errno, syscall, path).
static void complete(napi_env env, napi_status status, void *arg) {
  struct call *c = arg;
  if (status == napi_ok && c->err == 0) {
    napi_value undef;
    napi_get_undefined(env, &undef);
    napi_resolve_deferred(env, c->deferred, undef);
  } else {
    int e = status == napi_ok ? c->err : ECANCELED;
    const char *name = strerrorname_np(e);
    const char *syscall = c->op == OP_MOUNT ? "mount" : "umount2";
    napi_value code, msg, err, num, sc, path;
    char text[4400];
    snprintf(text, sizeof text, "%s: %s, %s '%s'", name ? name : "EUNKNOWN", strerror(e), syscall, c->target);
    napi_create_string_utf8(env, name ? name : "EUNKNOWN", NAPI_AUTO_LENGTH, &code);
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, code, msg, &err);
    napi_create_int32(env, -e, &num);
    napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc);
    napi_create_string_utf8(env, c->target, NAPI_AUTO_LENGTH, &path);
    napi_set_named_property(env, err, "errno", num);
    napi_set_named_property(env, err, "syscall", sc);
    napi_set_named_property(env, err, "path", path);
    napi_reject_deferred(env, c->deferred, err);
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

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "mount", NULL, js_mount, NULL, NULL, NULL, napi_default, NULL },
    { "umount", NULL, js_umount, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
