// `pulsemap probe --server URL --site NAME --token TOKEN`: run the checks located at this site and
// send their results to a pulsemap server.
import { commandArgs, usageError as writeUsageError } from './args.ts';
import { createLogger } from '../log.ts';
import { serverBase } from '../probe/connection.ts';
import { ProbeStartError, startProbe } from '../probe/probe.ts';

const usage = 'usage: pulsemap probe --server URL --site NAME [--token TOKEN] [--allow-commands]\n';

/** Site names as `probes:` in entities.yaml may declare them. */
const SITE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

const usageError = (message: string): number => writeUsageError('probe', usage, message);

export const probeCommand = {
  summary: 'run the checks the server locates at this site and send it their results, outbound only '
    + '(the token may come from PULSEMAP_PROBE_TOKEN instead of --token, which keeps it out of ps)',
  usage,

  /** Exit codes: 0 stopped by SIGTERM/SIGINT, 1 the server refused the token or the protocol, 2 usage. */
  async run(args: string[]): Promise<number> {
    const parsed = commandArgs('probe', usage, args, { server: { type: 'string' }, site: { type: 'string' }, token: { type: 'string' }, 'allow-commands': { type: 'boolean' } });
    if (parsed === null) return 2;
    const { values } = parsed;
    const env = process.env;
    const server = values.server ?? env.PULSEMAP_PROBE_SERVER;
    const site = values.site ?? env.PULSEMAP_PROBE_SITE;
    const token = values.token ?? env.PULSEMAP_PROBE_TOKEN;
    if (server === undefined) return usageError('--server URL is required');
    if (site === undefined) return usageError('--site NAME is required');
    if (!SITE.test(site)) return usageError(`invalid site name '${site.slice(0, 64)}' (letters, digits, '.', '_', '-')`);
    if (token === undefined || token === '') return usageError('a token is required: --token TOKEN or PULSEMAP_PROBE_TOKEN');
    try {
      serverBase(server);
    } catch (err) {
      return usageError(err instanceof TypeError ? `invalid --server URL '${server.slice(0, 200)}'` : (err as Error).message);
    }

    const logger = createLogger({ level: env.LOG_LEVEL });
    const stop = new AbortController();
    const onSignal = (signal: string): void => {
      logger.info({ signal }, 'shutting down');
      stop.abort();
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));

    let probe;
    try {
      probe = await startProbe({ server, site, token, env, allowCommands: values['allow-commands'] ?? false, logger, stopping: stop.signal });
    } catch (err) {
      if (err instanceof ProbeStartError) {
        logger.error({ reason: err.message }, 'probe cannot start');
        process.stderr.write(`pulsemap probe: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    if (probe === null) return 0;
    if (!stop.signal.aborted) await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
    await probe.close();
    return 0;
  },
};
