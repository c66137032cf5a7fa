/** The `weft` command line (commander). */
import { Command, InvalidArgumentError } from 'commander';
import { defaultServer } from './api-client.js';
import { uploadCommand } from './commands/upload.js';
import { runCommand } from './commands/run.js';
import { predictCommand } from './commands/predict.js';

/** The platform commands load the database and launcher code; load them only when used. */
const platform = () => import('./commands/platform.js');

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('a whole number from 1 to 64');
  return n;
}

/**
 * Builds the program. `exit` receives each command's exit code (the bin passes
 * `process.exit`; tests capture it).
 */
export function createProgram(exit: (code: number) => void): Command {
  const program = new Command('weft')
    .description('Weft: a distributed, no-code machine-learning training platform')
    .version('0.1.0')
    .showHelpAfterError();
  const server = ['--server <url>', 'Weft api base URL', defaultServer()] as const;
  const apiKey = ['--api-key <key>', 'API key (default: $WEFT_API_KEY, else the local credentials in $WEFT_DATA_DIR/credentials.json)'] as const;

  program
    .command('upload')
    .description('Upload a CSV as a dataset')
    .argument('<file>', 'CSV file')
    .option(...server)
    .option(...apiKey)
    .option('--name <name>', 'dataset name (default: the file name)')
    .option('--skip-bad-rows', 'skip rows with the wrong number of fields')
    .option('--json', 'print the dataset as one JSON document')
    .action(async (file: string, o: { server: string; apiKey?: string; name?: string; skipBadRows?: boolean; json?: boolean }) => exit(await uploadCommand(file, o)));

  program
    .command('run')
    .description('Run a workflow and follow it; exit 0 when it completes')
    .argument('<workflow>', 'workflow JSON file')
    .option(...server)
    .option(...apiKey)
    .option('--data <file>', 'upload this CSV and use it in every dataset node')
    .option('--json', 'print only the final job as one JSON document')
    .action(async (file: string, o: { server: string; apiKey?: string; data?: string; json?: boolean }) => exit(await runCommand(file, o)));

  program
    .command('predict')
    .description('Batch predictions with a trained model')
    .argument('<modelId>', 'model id')
    .argument('<file>', 'CSV file with the feature columns')
    .option(...server)
    .option(...apiKey)
    .option('--json', 'print the predictions as one JSON document')
    .action(async (modelId: string, file: string, o: { server: string; apiKey?: string; json?: boolean }) => exit(await predictCommand(modelId, file, o)));

  program
    .command('up')
    .description('Start the platform locally (scheduler, executors, api) until Ctrl-C')
    .option('--executors <n>', 'executor processes', positiveInt, 2)
    .action(async (o: { executors: number }) => exit(await (await platform()).upCommand(o)));

  program
    .command('demo')
    .description('Start the platform if needed, run the breast-cancer example end to end, keep serving')
    .option(...server)
    .option('--executors <n>', 'executor processes (when starting the platform)', positiveInt, 2)
    .action(async (o: { server: string; executors: number }) => exit(await (await platform()).demoCommand(o)));

  program
    .command('init')
    .description('Create the local owner account, workspace and API key if missing (credentials in $WEFT_DATA_DIR/credentials.json)')
    .action(async () => exit(await (await platform()).initCommand()));

  program
    .command('migrate')
    .description('Bring the database schema up to date and exit')
    .action(async () => exit(await (await platform()).migrateCommand()));

  return program;
}
