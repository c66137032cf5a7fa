/** Model routes: list, get, and batch predict (CSV upload or JSON rows). */
import { ModelEntity, type ModelRow } from '@weft/common';
import { WeftError, isErrorCode } from '@weft/proto';
import { workspaceOf, type ApiDeps } from '../deps.js';
import { parseBody, parseParams, type RouteRegistry } from '../registry.js';
import { ErrorEnvelopeSchema, IdParams, ModelDocSchema, PredictJsonBody, PredictResponse, UploadFormSchema } from '../schemas.js';
import { createDatasetFromCsv, findDataset } from '../dataset-store.js';
import {
  invalidValues,
  jsonRowLines,
  overridesFromTraining,
  predictGraph,
  predictionsKey,
  readCsvHeader,
  readPredictions,
  rowsToCsv,
  unseenCategories,
  waitForJob,
} from '../predict.js';
import { submitWorkflow } from './jobs.js';
import { uploadDataset } from './datasets.js';

const err = (description: string) => ({ description, schema: ErrorEnvelopeSchema });

/** The REST document of a model row. */
export function modelDoc(m: ModelRow) {
  return {
    id: m.id,
    jobId: m.jobId,
    nodeId: m.nodeId,
    nodeType: m.nodeType,
    task: m.task,
    target: m.target,
    datasetId: m.datasetId,
    metrics: m.metrics ?? {},
    createdAt: new Date(m.createdAt).toISOString(),
  };
}

async function findModel(deps: ApiDeps, workspaceId: string, id: string): Promise<ModelRow> {
  const m = await deps.db.em().findOne(ModelEntity, { id, workspaceId });
  if (!m) throw new WeftError('MODEL_NOT_FOUND', `Model "${id}" does not exist`, { modelId: id });
  return m;
}

/** Mounts the model routes. */
export function registerModelRoutes(r: RouteRegistry, deps: ApiDeps): void {
  r.add(
    { method: 'get', path: '/api/models', tag: 'models', summary: 'List trained models, newest first', responses: { 200: { description: '`{ models }`' } } },
    async (req, res) => {
      const rows = await deps.db.em().find(ModelEntity, { workspaceId: workspaceOf(req) }, { orderBy: { createdAt: 'desc' } });
      res.json({ models: rows.map(modelDoc) });
    },
  );

  r.add(
    {
      method: 'get',
      path: '/api/models/:id',
      tag: 'models',
      summary: 'One model with its holdout metrics',
      params: IdParams,
      responses: { 200: { description: 'The model', schema: ModelDocSchema }, 404: err('MODEL_NOT_FOUND') },
    },
    async (req, res) => {
      const { id } = parseParams(IdParams, req);
      res.json(modelDoc(await findModel(deps, workspaceOf(req), id)));
    },
  );

  r.add(
    {
      method: 'post',
      path: '/api/models/:id/predict',
      tag: 'models',
      summary: 'Predict with a model: CSV (multipart "file" or text/csv) or JSON `{ rows: [{col: value}] }`; waits up to 120 s',
      params: IdParams,
      body: PredictJsonBody,
      multipart: UploadFormSchema,
      acceptsCsv: true,
      responses: {
        200: { description: 'Predictions in row order', schema: PredictResponse },
        400: err('Bad CSV, or the prediction job failed on the input (its error code)'),
        404: err('MODEL_NOT_FOUND'),
        503: err('Scheduler unavailable or the job did not finish in time'),
      },
    },
    async (req, res) => {
      const { id } = parseParams(IdParams, req);
      const ws = workspaceOf(req);
      const model = await findModel(deps, ws, id);
      const training = await findDataset(deps, ws, model.datasetId);
      const forcedTypes = async (csvPath: string, delimiter: string | undefined) =>
        training ? overridesFromTraining(training.schema, model.target, await readCsvHeader(csvPath, delimiter)) : {};
      const name = `predict ${model.id}`;
      let dataset;
      let lineToRow: ((line: number) => number | undefined) | undefined;
      if (/^application\/json/i.test(req.headers['content-type'] ?? '')) {
        const body = parseBody(PredictJsonBody, req);
        lineToRow = jsonRowLines(body.rows);
        const csvPath = await rowsToCsv(deps, body.rows);
        dataset = await createDatasetFromCsv(deps, ws, csvPath, { name, typeOverrides: await forcedTypes(csvPath, ',') });
      } else {
        dataset = await uploadDataset(deps, req, res, { defaultName: name, forcedTypes });
      }
      const submitted = await submitWorkflow(deps, ws, predictGraph(dataset.id, model.id));
      const abort = new AbortController();
      res.once('close', () => abort.abort());
      const job = await waitForJob(deps, submitted.id, ws, undefined, abort.signal);
      if (job.state !== 'completed') {
        const code = job.errorCode && isErrorCode(job.errorCode) ? job.errorCode : 'INTERNAL';
        throw new WeftError(code, `Prediction job ${job.id} ${job.state}: ${job.errorMessage || 'no reason given'}`, { jobId: job.id, state: job.state });
      }
      const { predictions, extra } = await readPredictions(deps, await predictionsKey(deps, job, ws));
      const fromFile = (extra.unseenCategories ?? undefined) as Record<string, { count: number; values: string[] }> | undefined;
      res.json({
        modelId: model.id,
        jobId: job.id,
        datasetId: dataset.id,
        rowCount: predictions.length,
        predictions,
        ...(Array.isArray(extra.distances) ? { distances: extra.distances } : {}),
        ...(Array.isArray(extra.probabilities) ? { probabilities: extra.probabilities, classes: extra.classes } : {}),
        ...(extra.missingCategories && typeof extra.missingCategories === 'object' ? { missingCategories: extra.missingCategories } : {}),
        unseenCategories: fromFile ?? (training ? unseenCategories(training.schema, dataset.schema) : {}),
        invalidValues: invalidValues(dataset, training ? { schema: training.schema, target: model.target } : undefined, lineToRow),
      });
    },
  );
}
