// A promise settled by work on libuv's thread pool: shared by both addons (berth-host, berth-netlink).
#include <node_api.h>

napi_value queue_work(napi_env env, napi_async_execute_callback run, napi_async_complete_callback done, void *data, napi_deferred *deferred, napi_async_work *work) {
  napi_value promise, name;
  napi_create_promise(env, deferred, &promise);
  napi_create_string_utf8(env, "berth", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, run, done, data, work);
  napi_queue_async_work(env, *work);
  return promise;
}
