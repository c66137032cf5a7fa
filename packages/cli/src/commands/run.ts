/** `weft run WORKFLOW.json [--data FILE.csv] [--json]` */
import * as fs from 'node:fs';
import type { WorkflowGraph } from '@weft/proto';
import { resolveApiKey } from '../credentials.js';
import { ApiClient, ApiError } from '../api-client.js';
import { chooseView, followJob } from '../follow.js';
import { datasetSummary, jobSummaryLine, metricsTables } from '../format.js';
import { EXIT, printJson, reportError } from './common.js';

export interface RunCommandOptions {
  server: string;
  /** API key (else WEFT_API_KEY, else .weft/credentials.json). */
  apiKey?: string;
  data?: string;
  json?: boolean;
}

/** Reads a workflow file. @throws ApiError WORKFLOW_UNREADABLE */
export function readWorkflow(file: string): WorkflowGraph {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ApiError('WORKFLOW_UNREADABLE', `Cannot read ${file}: ${(err as Error).message}`, 0);
  }
  try {
    return JSON.parse(text) as WorkflowGraph;
  } catch (err) {
    throw new ApiError('WORKFLOW_UNREADABLE', `${file} is not JSON: ${(err as Error).message}`, 0);
  }
}

/** Sets `params.datasetId` of every dataset node. */
export function withDataset(graph: WorkflowGraph, datasetId: string): WorkflowGraph {
  return {
    ...graph,
    nodes: (graph.nodes ?? []).map((n) => (n.type === 'dataset' ? { ...n, params: { ...(n.params ?? {}), datasetId } } : n)),
  };
}

/**
 * Uploads the data (if given), submits the workflow, follows it to a final state and prints
 * the result. Returns the exit code: 0 completed, 1 failed/cancelled, 2 refused.
 */
export async function runCommand(workflowFile: string, opts: RunCommandOptions): Promise<number> {
  const client = new ApiClient(opts.server, resolveApiKey(opts.apiKey));
  const say = (s: string) => {
    if (!opts.json) process.stdout.write(s + '\n');
  };
  try {
    let graph = readWorkflow(workflowFile);
    if (opts.data) {
      const ds = await client.uploadCsv(opts.data);
      say(datasetSummary(ds) + '\n');
      graph = withDataset(graph, ds.id);
    }
    const submitted = await client.submitJob(graph);
    say(`Job ${submitted.id} submitted (${graph.nodes?.length ?? 0} nodes)`);
    const view = chooseView({ json: !!opts.json, totalNodes: graph.nodes?.length ?? 1 });
    await followJob(client, submitted.id, view);
    const job = await client.getJob(submitted.id);
    if (opts.json) printJson(job);
    else {
      say(jobSummaryLine(job));
      say(metricsTables(job));
    }
    return job.state === 'completed' ? EXIT.ok : EXIT.jobNotCompleted;
  } catch (err) {
    return reportError(err, { json: !!opts.json });
  }
}
