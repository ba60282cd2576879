// How plain JS data stands in for Go values when templates execute.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidArgumentError } from '../base/index.js';
import { parseTemplate, TemplateExecError } from './index.js';

const run = (src: string, data: unknown): string => parseTemplate(src).execute(data);

describe('template data model', () => {
  test('execute() treats plain objects as maps: missing keys print <no value>', () => {
    assert.equal(run('{{.State.Status}} {{.Missing}} {{.Missing.Deeper}}', { State: { Status: 'running' } }), 'running <no value> <no value>');
  });

  test('execute() prints maps sorted by key and arrays space-separated', () => {
    assert.equal(run('{{.}}', { b: 1, a: ['x', 'y'], c: { z: true } }), 'map[a:[x y] b:1 c:map[z:true]]');
  });

  test('execute() ranges over an object in sorted key order', () => {
    assert.equal(run('{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}', { Labels: { 'z.b': '2', 'a.b': '1' } }), 'a.b=1;z.b=2;');
  });

  test('execute() ranges over a Map with numeric keys numerically', () => {
    assert.equal(run('{{range $k, $v := .}}{{$k}}{{$v}} {{end}}', new Map([[10, 'a'], [9, 'b']])), '9b 10a ');
  });

  test('execute() prints null as <nil> and reads fields through it as no value', () => {
    assert.equal(run('{{.Health}}|{{.Labels.foo}}|{{if .Health}}y{{else}}n{{end}}', { Health: null, Labels: null }), '<nil>|<no value>|n');
  });

  test('execute() gives "" for a missing key of a string map through index, like a Go map[string]string', () => {
    assert.equal(run('[{{index .Labels "nope"}}][{{index .Empty "x"}}][{{index .Nil "x"}}]', { Labels: { a: 'b' }, Empty: {}, Nil: null }), '[][][]');
    assert.equal(run('{{index .Mixed "nope"}}', { Mixed: { a: 1 } }), '<no value>');
  });

  test('execute() prints integral numbers as ints and others as Go floats', () => {
    assert.equal(run('{{.A}} {{.B}} {{.C}} {{.D}}', { A: 42, B: 2.5, C: 1e21, D: 12345678901234567890n }), '42 2.5 1e+21 12345678901234567890');
  });

  test('execute() calls function members as methods, with arguments', () => {
    const row = { Names: ['/web', '/db'], Label(name: string) { return `label:${name}`; }, First() { return this.Names[0]; } };
    assert.equal(run('{{.Label "com.example"}} {{.First}}', row), 'label:com.example /web');
  });

  test('execute() reports a method called with the wrong number of arguments', () => {
    assert.throws(() => run('{{.Label}}', { Label: (n: string) => n }), { message: 'template: :1:2: executing "" at <.Label>: wrong number of args for Label: want 1 got 0' });
  });

  test('execute() wraps what a method throws as "error calling"', () => {
    assert.throws(() => run('{{.Size}}', { Size: () => { throw new Error('boom'); } }), { message: 'template: :1:2: executing "" at <.Size>: error calling Size: boom' });
  });

  test('execute() reads getters and methods of class instances and treats them as structs', () => {
    class ContainerContext {
      static goTypeName = '*formatter.ContainerContext';
      constructor(private readonly id: string) {}
      get ID(): string { return this.id.slice(0, 12); }
      Label(name: string): string { return name; }
    }
    const row = new ContainerContext('0123456789abcdef');
    assert.equal(run('{{.ID}} {{.Label "x"}}', row), '0123456789ab x');
    assert.throws(() => run('{{.Nope}}', row), { message: 'template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.ContainerContext' });
    assert.throws(() => run('{{.ID 1}}', row), { message: 'template: :1:2: executing "" at <.ID>: ID has arguments but cannot be invoked as function' });
  });

  test('execute() prints a Date as Go prints a time.Time', () => {
    assert.equal(run('{{.Created}}', { Created: new Date('2024-03-01T10:20:30.500Z') }), '2024-03-01 10:20:30.5 +0000 UTC');
    assert.equal(run('{{json .Created}}', { Created: new Date('2024-03-01T10:20:30Z') }), '"2024-03-01T10:20:30.000Z"');
  });

  test('execute() keeps object key order in json, sorts Map keys, leaves HTML characters alone', () => {
    assert.equal(run('{{json .}}', { b: '<x>', a: [1, null], m: new Map([['z', 1], ['a', 2]]) }), '{"b":"<x>","a":[1,null],"m":{"a":2,"z":1}}');
  });

  test('execute() compares numbers regardless of int or float, and strings bytewise', () => {
    assert.equal(run('{{lt .A .B}} {{eq .A 1}} {{gt "é" "z"}}', { A: 1, B: 1.5 }), 'true true true');
  });
});

describe('template options and errors', () => {
  test('parseTemplate() throws InvalidArgumentError with Go\'s text for unknown functions', () => {
    assert.throws(() => parseTemplate('{{foo .}}'), (e: unknown) => e instanceof InvalidArgumentError && e.message === 'template: :1: function "foo" not defined');
  });

  test('parseTemplate() accepts extra functions that override builtins', () => {
    const t = parseTemplate('{{shout .}} {{upper .}}', { funcs: { shout: (s: string) => `${s}!`, upper: (s: string) => `U(${s})` } });
    assert.equal(t.execute('hi'), 'hi! U(hi)');
  });

  test('parseTemplate() with a function named break lexes {{break}} as a call', () => {
    assert.equal(parseTemplate('{{break}}', { funcs: { break: () => 'b' } }).execute(null), 'b');
  });

  test('execute() throws TemplateExecError carrying the output written before the failure', () => {
    try {
      parseTemplate('a{{.X}}b{{len 3}}c').execute({ X: 1 });
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof TemplateExecError && e instanceof InvalidArgumentError);
      assert.equal(e.partial, 'a1b');
      assert.equal(e.message, 'template: :1:10: executing "" at <len 3>: error calling len: len of type int');
    }
  });

  test('missingKey "error" fails on absent keys with Go\'s text, as docker inspect\'s raw fallback does', () => {
    const t = parseTemplate('{{.State.Health.Status}}', { missingKey: 'error' });
    assert.throws(() => t.execute({ State: { Status: 'running' } }), {
      message: 'template: :1:8: executing "" at <.State.Health.Status>: map has no entry for key "Health"',
    });
    assert.throws(() => t.execute({ State: null }), {
      message: 'template: :1:8: executing "" at <.State.Health.Status>: nil pointer evaluating interface {}.Health',
    });
    assert.equal(t.execute({ State: { Health: { Status: 'healthy' } } }), 'healthy');
  });

  test('missingKey "zero" gives "" for an absent label', () => {
    assert.equal(parseTemplate('[{{.Labels.x}}]', { missingKey: 'zero' }).execute({ Labels: { a: 'b' } }), '[]');
  });

  test('execute() stops runaway template recursion with an error', () => {
    assert.throws(() => parseTemplate('{{define "x"}}{{template "x" .}}{{end}}{{template "x" 1}}').execute(null), {
      message: 'template: :1:25: executing "x" at <{{template "x" .}}>: exceeded maximum template depth (1000)',
    });
  });

  test('execute() can run the same template many times with different data', () => {
    const t = parseTemplate('{{.ID}}');
    assert.deepEqual(['a', 'b'].map((ID) => t.execute({ ID })), ['a', 'b']);
  });

  test('execute() reports columns in bytes for non-ASCII text, as Go does', () => {
    assert.throws(() => run('é{{len 1}}', {}), { message: 'template: :1:4: executing "" at <len 1>: error calling len: len of type int' });
  });
});
