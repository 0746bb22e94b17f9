import assert from 'node:assert/strict';
import { test } from 'node:test';
import Handlebars from 'handlebars';
import { templateView } from '../../../shared/template/context-view.ts';

class Author {
  username = 'octocat';
  name = 'The Octocat';
  toString() {
    return this.username;
  }
}

const context = {
  build: {
    status: 'failure',
    deployTo: 'prod',
    author: new Author(),
    message: {
      title: 'Fix',
      body: 'details',
      toString() {
        return 'Fix\n\ndetails';
      },
    },
    failedSteps: [{ name: 'test' }],
    created: new Date(0),
  },
};

const render = (source: string) => Handlebars.compile(source, { noEscape: true })(templateView(context));

test('first letter upper or lower resolves, as raymond does; other spellings do not', () => {
  assert.equal(render('{{build.status}}|{{Build.Status}}|{{build.Status}}|{{BUILD.status}}|{{build.STATUS}}'), 'failure|failure|failure||');
  assert.equal(render('{{build.deployTo}}|{{Build.DeployTo}}|{{build.deploy_to}}'), 'prod|prod|');
  assert.equal(render('{{#each Build.FailedSteps}}{{Name}}{{/each}}'), 'test');
});

test('objects with a custom toString keep printing through it, own or inherited', () => {
  assert.equal(render('{{build.author}}|{{build.author.name}}|{{Build.Author.Username}}'), 'octocat|The Octocat|octocat');
  assert.equal(render('{{build.message}}|{{build.message.title}}'), 'Fix\n\ndetails|Fix');
});

test('aliases are hidden from each, keys and JSON', () => {
  const view = templateView(context) as { build: Record<string, unknown> };
  assert.deepEqual(Object.keys(view.build), Object.keys(context.build));
  assert.equal(JSON.stringify(view.build.message), JSON.stringify({ title: 'Fix', body: 'details' }));
  assert.equal(render('{{#each build.message}}{{@key}},{{/each}}'), 'title,body,');
});

test('an exact key wins over an alias', () => {
  const view = templateView({ foo: 'lower', Foo: 'upper' }) as Record<string, unknown>;
  assert.equal(view.foo, 'lower');
  assert.equal(view.Foo, 'upper');
});

test('dates, primitives and cycles', () => {
  const view = templateView(context) as { build: { created: unknown } };
  assert.ok(view.build.created instanceof Date);
  assert.equal(templateView('x'), 'x');
  assert.equal(templateView(null), null);
  const cyclic: Record<string, unknown> = { name: 'a' };
  cyclic.self = cyclic;
  type Cyclic = { Name: string; Self: Cyclic };
  const v = templateView(cyclic) as Cyclic;
  assert.equal(v.Self.Self.Name, 'a');
});

test('a view of a view is the same view', () => {
  const twice = Handlebars.compile('{{Build.Author}}|{{build.message}}|{{#each build}}{{@key}} {{/each}}')(
    templateView(templateView(context)),
  );
  assert.equal(twice, 'octocat|Fix\n\ndetails|status deployTo author message failedSteps created ');
});

test('objects without a prototype work', () => {
  const bare = Object.assign(Object.create(null), { value: 1 });
  assert.equal((templateView({ bare }) as { Bare: { Value: number } }).Bare.Value, 1);
});
