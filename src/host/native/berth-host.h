// What berth-host.c shares with the addon's other files (one module, several sources).
#ifndef BERTH_HOST_H
#define BERTH_HOST_H
#include <node_api.h>
#include <sys/types.h>

// Open `rel` ("" for the root) beneath `root`, never following a symlink (openat2 RESOLVE_BENEATH
// | RESOLVE_NO_SYMLINKS, or an O_NOFOLLOW walk where openat2 is missing). Thread-safe.
int open_beneath(int root, const char *rel, int flags);
// chmod of `name` in `dir` without following it; a symlink is left alone. Thread-safe.
int chmod_nofollow(int dir, const char *name, mode_t mode);
// An Error as Node's fs errors look: code, errno, syscall and path (when there is one).
napi_value errno_error(napi_env env, int e, const char *syscall, const char *path);
// Settle a thread-pool job's promise: resolve with `value` (undefined when NULL) when the work ran
// (`status` napi_ok) without error, else reject with errno_error (ECANCELED when it never ran).
void settle(napi_env env, napi_deferred deferred, napi_status status, napi_value value, int err, const char *syscall, const char *path);
// A string argument (malloc'd), or NULL for null/undefined; sets *bad on another type or an embedded NUL.
char *string_arg(napi_env env, napi_value v, int *bad);

// A promise settled by `done` after `run` on libuv's thread pool; `deferred` and `work` are the caller's to keep.
napi_value queue_work(napi_env env, napi_async_execute_callback run, napi_async_complete_callback done, void *data, napi_deferred *deferred, napi_async_work *work);

// copyTree(srcRoot, srcRel, dstRoot) -> Promise<void> (copy-tree.c)
napi_value x_copy_tree(napi_env env, napi_callback_info info);
// sendFile(outFd, inFd, offset, length, cancel, copy) -> Promise<number> (send-file.c)
napi_value x_send_file(napi_env env, napi_callback_info info);
#endif
