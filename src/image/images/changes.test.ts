import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError } from '../../base/index.js';
import { applyChanges } from './changes.js';

test('applyChanges() runs the changes through the Dockerfile dispatchers: words see the config\'s Env', () => {
  const c = applyChanges({ Env: ['BASE=/opt'], Cmd: ['sh'] }, ['ENV APP=$BASE/app', 'WORKDIR ${APP}', 'LABEL at="$APP"', 'ENTRYPOINT ["run"]']);
  assert.deepEqual(c.Env, ['BASE=/opt', 'APP=/opt/app']);
  assert.equal(c.WorkingDir, '/opt/app');
  assert.deepEqual(c.Labels, { at: '/opt/app' });
  assert.deepEqual(c.Entrypoint, ['run']);
  assert.equal(c.Cmd, null, 'an ENTRYPOINT drops the CMD it inherited');
  assert.deepEqual(applyChanges({ Cmd: ['a'] }, []), { Cmd: ['a'] });
});

test('applyChanges() refuses what a commit cannot change, with moby\'s words and no line number', () => {
  const refused = (changes: string[], message: string): void => {
    assert.throws(() => applyChanges({}, changes), (e: unknown) => e instanceof InvalidArgumentError && e.message === message, message);
  };
  refused(['RUN echo no'], 'run is not a valid change command');
  refused(['FROM busybox'], 'from is not a valid change command');
  refused(['ONBUILD ONBUILD RUN x'], "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
});
