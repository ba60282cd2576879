// sendFile: a file's bytes written to a connected socket by sendfile(2) on libuv's thread pool,
// for the registry server's blob GETs (src/host/send-file.ts, docs/decisions/0019): the kernel
// moves page-cache pages to the socket, with no copy into JS and back, one call per socket buffer.
//
// The socket is non-blocking (libuv's): a full send buffer makes sendfile fail with EAGAIN, and the
// job waits in poll(POLLOUT). A job never holds its pool thread for long against a slow client:
// when poll waits STALL_MS without the socket taking anything, the job returns what it sent and the
// caller queues the rest, so fs calls queued behind it get their turn.
//
// With `copy` set the job reads the file into a buffer of its own and sends that instead: two
// copies on the server's side, but what a client on this machine reads is fresh in the CPU's caches
// rather than page-cache pages it would fetch cold (src/registry/server/server.ts says when).
//
// The job writes to its own dup of the socket's fd, taken on the JS thread when the call is made:
// if Node closes the socket meanwhile (a client gone, a server closing), the number cannot be
// reused under the job by another open. The caller's Int32Array cancel flag, read on every wait,
// ends the job early.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>
#include "berth-host.h"

#define STALL_MS 250
#define MAX_CALL 0x7ffff000 // what one sendfile call moves at most on Linux
#define COPY_BUFFER (256 << 10)

struct send_job {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref cancel_ref;  // keeps the flag's buffer alive while the job reads it
  const int32_t *cancel;
  int out, in, copy;
  int64_t offset, length, sent;
  int err;
  const char *syscall;
};

// Wait until the socket takes bytes again: 1, or 0 when it stalled for STALL_MS, -1 on failure (errno).
static int wait_writable(int fd) {
  struct pollfd p = { .fd = fd, .events = POLLOUT, .revents = 0 };
  int r = poll(&p, 1, STALL_MS);
  if (r < 0 && errno == EINTR) return 1;
  return r; // POLLERR/POLLHUP: the next write says which error (EPIPE, ECONNRESET)
}

// One step of the transfer: bytes written (> 0), 0 when the file ended early, -1 with errno.
static ssize_t send_step(struct send_job *j, off_t *off, char *buf, size_t *buffered, size_t *pos, const char **call) {
  int64_t left = j->length - j->sent;
  if (!buf) {
    *call = "sendfile";
    return sendfile(j->out, j->in, off, left > MAX_CALL ? MAX_CALL : (size_t)left);
  }
  if (*buffered == 0) {
    *call = "pread";
    ssize_t n = pread(j->in, buf, left > COPY_BUFFER ? COPY_BUFFER : (size_t)left, *off);
    if (n <= 0) return n;
    *buffered = (size_t)n;
    *pos = 0;
  }
  *call = "send";
  ssize_t n = send(j->out, buf + *pos, *buffered, MSG_NOSIGNAL); // sendfile relies on Node ignoring SIGPIPE
  if (n > 0) {
    *pos += (size_t)n;
    *buffered -= (size_t)n;
    *off += n;
  }
  return n;
}

static void send_execute(napi_env env, void *arg) {
  (void)env;
  struct send_job *j = arg;
  off_t off = (off_t)j->offset;
  char *buf = NULL;
  size_t buffered = 0, pos = 0;
  if (j->copy && !(buf = malloc(COPY_BUFFER))) {
    j->err = ENOMEM;
    j->syscall = "malloc";
    return;
  }
  while (j->sent < j->length && !__atomic_load_n(j->cancel, __ATOMIC_RELAXED)) {
    const char *call = "sendfile";
    ssize_t n = send_step(j, &off, buf, &buffered, &pos, &call);
    if (n > 0) {
      j->sent += n;
      continue;
    }
    if (n == 0) { // the file ended before `length`: it shrank under us
      j->err = ENODATA;
      j->syscall = call;
      break;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) {
      j->err = errno;
      j->syscall = call;
      break;
    }
    int r = wait_writable(j->out);
    if (r < 0) {
      j->err = errno;
      j->syscall = "poll";
      break;
    }
    if (r == 0) break; // stalled: hand the thread back, the caller queues the rest
  }
  free(buf);
}

static void send_complete(napi_env env, napi_status status, void *arg) {
  struct send_job *j = arg;
  close(j->out);
  napi_value sent;
  napi_create_double(env, (double)j->sent, &sent);
  settle(env, j->deferred, status, sent, j->err, j->syscall ? j->syscall : "sendfile", NULL);
  napi_delete_reference(env, j->cancel_ref);
  napi_delete_async_work(env, j->work);
  free(j);
}

// sendFile(outFd, inFd, offset, length, cancel: Int32Array, copy: boolean) -> Promise<number>:
// bytes of inFd from offset written to the socket outFd; resolves with how many went (fewer than
// length when the socket stalled or cancel[0] became non-zero), rejects with the errno of a failed call.
napi_value x_send_file(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value v[6];
  napi_get_cb_info(env, info, &argc, v, NULL, NULL);
  int32_t out = -1, in = -1;
  int64_t offset = -1, length = -1;
  napi_typedarray_type type = napi_uint8_array;
  size_t count = 0;
  void *data = NULL;
  bool copy = false;
  int bad = argc != 6
    || napi_get_value_int32(env, v[0], &out) != napi_ok || napi_get_value_int32(env, v[1], &in) != napi_ok
    || napi_get_value_int64(env, v[2], &offset) != napi_ok || napi_get_value_int64(env, v[3], &length) != napi_ok
    || napi_get_typedarray_info(env, v[4], &type, &count, &data, NULL, NULL) != napi_ok
    || napi_get_value_bool(env, v[5], &copy) != napi_ok;
  if (bad || out < 0 || in < 0 || offset < 0 || length < 0 || type != napi_int32_array || count < 1) {
    napi_throw_type_error(env, NULL, "sendFile(outFd, inFd, offset, length, cancel: Int32Array, copy): bad arguments");
    return NULL;
  }
  struct send_job *j = calloc(1, sizeof *j);
  if (!j) { napi_throw_error(env, "ENOMEM", "sendFile: out of memory"); return NULL; }
  j->out = fcntl(out, F_DUPFD_CLOEXEC, 0);
  if (j->out < 0) {
    int e = errno;
    free(j);
    napi_throw(env, errno_error(env, e, "dup", NULL));
    return NULL;
  }
  j->in = in;
  j->copy = copy;
  j->offset = offset;
  j->length = length;
  j->cancel = data;
  napi_create_reference(env, v[4], 1, &j->cancel_ref);
  return queue_work(env, send_execute, send_complete, j, &j->deferred, &j->work);
}
