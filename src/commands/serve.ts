import { flushCompileCache } from 'node:module';
import { commandArgs, usageError } from './args.ts';
import { startService } from '../main.ts';
import { createLogger } from '../log.ts';
import { ConfigError } from '../config/load.ts';
import { ClusterSetupError } from '../cluster/settings.ts';

const usage = 'usage: pulsemap serve [--config FILE] [--port N] [--host ADDR] [--data DIR] [--store URL] [--instance NAME]\n';

export const serveCommand = {
  summary: 'run the monitor, the API and the web page',
  usage,
  async run(args: string[]): Promise<number> {
    const parsed = commandArgs('serve', usage, args, {
      config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' },
      data: { type: 'string' }, store: { type: 'string' }, instance: { type: 'string' },
    });
    if (parsed === null) return 2;
    const { values } = parsed;
    const env = process.env;
    const port = Number(values.port ?? env.PORT ?? 8000);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      return usageError('serve', usage, `invalid port '${values.port ?? env.PORT}'`);
    }
    const logger = createLogger({ level: env.LOG_LEVEL });
    let service;
    try {
      service = await startService({
        config: values.config ?? env.PULSEMAP_CONFIG ?? 'entities.yaml',
        port,
        host: values.host ?? env.HOST ?? '0.0.0.0',
        data: values.data ?? env.PULSEMAP_DATA ?? 'data',
        store: values.store ?? env.PULSEMAP_STORE ?? null,
        instance: values.instance ?? env.PULSEMAP_INSTANCE ?? null,
        cluster: env.PULSEMAP_CLUSTER || null,
        logger,
      });
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`${err.message}\n`);
        return 1;
      }
      if (err instanceof ClusterSetupError) {
        process.stderr.write(`pulsemap: ${err.message}\n`);
        return 2;
      }
      throw err;
    }
    // Node writes its compile cache (bin/pulsemap.js) at exit; a service that ends by SIGKILL or
    // power loss never gets there, so write it now that the modules of the start are loaded.
    flushCompileCache();
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        logger.info({ signal }, 'shutting down');
        service.close().then(resolve, resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    return 0;
  },
};
