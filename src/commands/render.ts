// `pulsemap render [--config FILE] [--format svg|nomnoml] [--group PATH | --range FIRST..LAST | --focus NAME | --view V]
// [--data DIR] [--store URL]`: print a view of the map for the stored state (what the running
// service would show, without starting it).
import { commandArgs, usageError } from './args.ts';
import { configOrProblems, readStore } from './offline.ts';
import { mapSource } from '../map/source.ts';
import { indexGraph } from '../map/graph.ts';
import { buildView } from '../map/views.ts';
import { defaultView, parseViewQuery, ViewError } from '../map/view.ts';
import { createMapRenderer } from '../map/render.ts';
import { readShown, underMaintenance } from '../maintenance/shown.ts';

const usage = 'usage: pulsemap render [--config FILE] [--format svg|nomnoml] [--group PATH | --range FIRST..LAST | --focus NAME | --view all|overview|problems] [--data DIR] [--store URL]\n';

export const renderCommand = {
  summary: 'print the map (SVG or nomnoml source) for the stored state',
  usage,

  /** Exit codes: 0 printed, 1 invalid configuration, unreadable store or no such group/entity, 2 usage. */
  async run(args: string[]): Promise<number> {
    const parsed = commandArgs('render', usage, args, {
      config: { type: 'string', short: 'c' }, format: { type: 'string', short: 'f' }, data: { type: 'string' }, store: { type: 'string' },
      group: { type: 'string' }, range: { type: 'string' }, focus: { type: 'string' }, view: { type: 'string' },
    });
    if (parsed === null) return 2;
    const { values } = parsed;
    const format = values.format ?? 'svg';
    if (format !== 'svg' && format !== 'nomnoml') return usageError('render', usage, `unknown format '${format}' (svg or nomnoml)`);
    let spec;
    try {
      spec = parseViewQuery({ group: values.group, range: values.range, focus: values.focus, view: values.view });
    } catch (err) {
      if (!(err instanceof ViewError)) throw err;
      return usageError('render', usage, err.message);
    }
    const config = await configOrProblems(values, process.env);
    if (config === null) return 1;
    // The states as the running service shows them: maintenance over the verdict where it applies.
    const read = await readStore('render', values, process.env, async (store) => ({
      states: await store.loadStates(),
      shown: await readShown(store, (err) => process.stderr.write(`pulsemap render: the stored list of entities under maintenance is unreadable (${String(err)}); showing their checked states\n`)),
    }));
    if (read === null) return 1;
    const states = new Map([...read.value.states].map(([name, state]) => {
      const since = read.value.shown[name];
      return [name, since === undefined ? state : underMaintenance(state, since)];
    }));

    let model;
    try {
      model = buildView(indexGraph(config), (name) => states.get(name), spec ?? defaultView(config));
    } catch (err) {
      if (!(err instanceof ViewError)) throw err;
      process.stderr.write(`pulsemap render: ${err.message}\n`);
      return 1;
    }
    if (format === 'nomnoml') {
      process.stdout.write(mapSource(model, 'live').source);
      return 0;
    }
    const renderer = createMapRenderer();
    try {
      process.stdout.write(`${await renderer.render(model)}\n`);
    } finally {
      await renderer.close();
    }
    return 0;
  },
};
