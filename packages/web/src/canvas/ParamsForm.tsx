/**
 * A node's parameter form, generated from its JSON Schema: enums as selects, booleans as
 * switches, numbers with their bounds, lists of enums as checkboxes, other string lists as
 * column pickers. Fields that name platform objects (`datasetId`, `target`, `modelId`) pick
 * from lists of those objects.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { useDatasetDoc, useDatasets } from '../api/datasets-store';
import { api } from '../api/client';
import type { JsonSchema, ModelDoc } from '../api/types';
import { Field } from '../ui/kit';
import { checkField, humanize, typesOf } from './params-check';

export interface ParamsFormProps {
  schema: JsonSchema;
  params: Record<string, unknown>;
  onChange: (name: string, value: unknown) => void;
  /** Columns of the dataset upstream of this node, when known. */
  columns?: string[];
  /** The dataset upstream (for a dataset node: its own), to pick targets from. */
  datasetId?: string;
  /** Server-side messages keyed by param name. */
  serverErrors?: Record<string, string>;
}

export function ParamsForm({ schema, params, onChange, columns, datasetId, serverErrors = {} }: ParamsFormProps) {
  const req = new Set(schema.required ?? []);
  const entries = Object.entries(schema.properties ?? {});
  if (entries.length === 0) return <p className="muted small">This node has no parameters.</p>;
  return (
    <div className="form" role="group" aria-label="Parameters">
      {entries.map(([name, s]) => (
        <ParamField
          key={name}
          name={name}
          schema={s}
          required={req.has(name)}
          value={params[name]}
          onChange={(v) => onChange(name, v)}
          columns={columns}
          datasetId={datasetId}
          serverError={serverErrors[name]}
        />
      ))}
    </div>
  );
}

interface FieldProps {
  name: string;
  schema: JsonSchema;
  required: boolean;
  value: unknown;
  onChange: (v: unknown) => void;
  columns?: string[] | undefined;
  datasetId?: string | undefined;
  serverError?: string | undefined;
}

function ParamField(p: FieldProps) {
  const label = (
    <>
      {humanize(p.name)}
      {p.required && <span className="req" aria-hidden="true"> *</span>}
    </>
  );
  const local = checkField(p.schema, p.value, p.required);
  const error = local ?? p.serverError ?? null;
  const hint = p.schema.description;
  const aria = humanize(p.name);
  const types = typesOf(p.schema);

  if (p.name === 'datasetId' && types.includes('string')) return <DatasetField {...p} label={label} error={error} aria={aria} />;
  if (p.name === 'target' && types.includes('string')) return <TargetField {...p} label={label} error={error} aria={aria} />;
  if (p.name === 'modelId' && types.includes('string')) return <ModelField {...p} label={label} error={error} aria={aria} />;

  if (p.schema.enum) {
    return (
      <Field label={label} hint={hint} error={error}>
        {({ id, describedBy, invalid }) => (
          <select id={id} aria-label={aria} aria-describedby={describedBy} aria-invalid={invalid} value={p.value === undefined ? '' : String(p.value)} onChange={(e) => p.onChange(e.target.value === '' ? undefined : e.target.value)}>
            {(!p.required || p.value === undefined) && <option value="">{p.schema.default !== undefined ? `Default (${String(p.schema.default)})` : '—'}</option>}
            {p.schema.enum!.map((v) => (
              <option key={String(v)} value={String(v)}>
                {String(v).replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        )}
      </Field>
    );
  }
  if (types.length === 1 && types[0] === 'boolean') {
    const checked = p.value === undefined ? Boolean(p.schema.default) : Boolean(p.value);
    return (
      <Field label={label} hint={hint} error={error} inline>
        {({ id, describedBy }) => (
          <input id={id} type="checkbox" role="switch" className="switch" aria-label={aria} aria-describedby={describedBy} checked={checked} onChange={(e) => p.onChange(e.target.checked)} />
        )}
      </Field>
    );
  }
  if (types.includes('array')) return <ListField {...p} label={label} error={error} aria={aria} hint={hint} />;
  if ((types.includes('number') || types.includes('integer')) && !types.includes('string')) return <NumberField {...p} label={label} error={error} aria={aria} hint={hint} />;
  // Strings, and number-or-string unions (kept as a number when the text is one).
  const numeric = types.includes('number') || types.includes('integer');
  return (
    <Field label={label} hint={hint} error={error}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          type="text"
          aria-label={aria}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          value={p.value === undefined || p.value === null ? '' : String(p.value)}
          placeholder={p.schema.default !== undefined ? String(p.schema.default) : ''}
          onChange={(e) => {
            const t = e.target.value;
            if (t === '') return p.onChange(undefined);
            p.onChange(numeric && t.trim() !== '' && Number.isFinite(Number(t)) ? Number(t) : t);
          }}
        />
      )}
    </Field>
  );
}

type Rich = FieldProps & { label: ReactNode; error: string | null; aria: string; hint?: string | undefined };

function NumberField(p: Rich) {
  const [text, setText] = useState(p.value === undefined ? '' : String(p.value));
  const [bad, setBad] = useState<string | null>(null);
  useEffect(() => {
    setText((t) => (Number(t) === p.value && t !== '' ? t : p.value === undefined ? '' : String(p.value)));
  }, [p.value]);
  const s = p.schema;
  const integer = typesOf(s).includes('integer') && !typesOf(s).includes('number');
  const min = s.minimum ?? s.exclusiveMinimum;
  const max = s.maximum ?? s.exclusiveMaximum;
  const range = [min !== undefined ? `${s.exclusiveMinimum !== undefined ? '>' : '≥'} ${min}` : '', max !== undefined ? `${s.exclusiveMaximum !== undefined ? '<' : '≤'} ${max}` : ''].filter(Boolean).join(', ');
  const hint = [p.hint, range && `(${range})`].filter(Boolean).join(' ');
  return (
    <Field label={p.label} hint={hint} error={bad ?? p.error}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          type="number"
          inputMode={integer ? 'numeric' : 'decimal'}
          aria-label={p.aria}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          value={text}
          min={min}
          max={max}
          step={integer ? 1 : 'any'}
          placeholder={s.default !== undefined ? String(s.default) : ''}
          onChange={(e) => {
            const t = e.target.value;
            setText(t);
            if (t.trim() === '') {
              setBad(null);
              return p.onChange(undefined);
            }
            const n = Number(t);
            if (!Number.isFinite(n)) return setBad('Must be a number');
            setBad(null);
            p.onChange(n);
          }}
        />
      )}
    </Field>
  );
}

function ListField(p: Rich) {
  if (p.schema.items?.enum) return <EnumListField {...p} />;
  const list = Array.isArray(p.value) ? (p.value as string[]) : [];
  if (p.columns && p.columns.length > 0) {
    return (
      <Field label={p.label} hint={p.hint ?? 'Leave all unticked for the default'} error={p.error}>
        {({ id }) => (
          <div id={id} className="checklist" role="group" aria-label={p.aria}>
            {p.columns!.map((c) => (
              <label key={c} className="check">
                <input
                  type="checkbox"
                  checked={list.includes(c)}
                  onChange={(e) => {
                    const next = e.target.checked ? [...list, c] : list.filter((x) => x !== c);
                    p.onChange(next.length ? next : undefined);
                  }}
                />
                <span className="ellipsis">{c}</span>
              </label>
            ))}
          </div>
        )}
      </Field>
    );
  }
  return (
    <Field label={p.label} hint={`${p.hint ? `${p.hint}. ` : ''}Comma-separated; connect a dataset to pick from its columns.`} error={p.error}>
      {({ id, describedBy }) => (
        <input
          id={id}
          type="text"
          aria-label={p.aria}
          aria-describedby={describedBy}
          value={list.join(', ')}
          onChange={(e) => {
            const next = e.target.value
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean);
            p.onChange(next.length ? next : undefined);
          }}
        />
      )}
    </Field>
  );
}

/** A list of fixed choices (e.g. datetime features): one checkbox per choice; unset shows the default ticked. */
function EnumListField(p: Rich) {
  const choices = (p.schema.items?.enum ?? []).map(String);
  const dflt = Array.isArray(p.schema.default) ? (p.schema.default as unknown[]).map(String) : [];
  const list = Array.isArray(p.value) ? (p.value as string[]) : dflt;
  return (
    <Field label={p.label} hint={p.hint} error={p.error}>
      {({ id }) => (
        <div id={id} className="checklist" role="group" aria-label={p.aria}>
          {choices.map((c) => (
            <label key={c} className="check">
              <input
                type="checkbox"
                checked={list.includes(c)}
                onChange={(e) => {
                  const next = e.target.checked ? choices.filter((x) => x === c || list.includes(x)) : list.filter((x) => x !== c);
                  p.onChange(next.length ? next : undefined);
                }}
              />
              <span className="ellipsis">{c.replace(/_/g, ' ')}</span>
            </label>
          ))}
        </div>
      )}
    </Field>
  );
}

function DatasetField(p: Rich) {
  const { list } = useDatasets();
  return (
    <Field label={p.label} hint={list && list.length === 0 ? 'Upload a CSV on the Datasets screen first' : p.schema.description} error={p.error}>
      {({ id, describedBy, invalid }) => (
        <select id={id} aria-label={p.aria} aria-describedby={describedBy} aria-invalid={invalid} value={typeof p.value === 'string' ? p.value : ''} onChange={(e) => p.onChange(e.target.value || undefined)}>
          <option value="">Choose a dataset…</option>
          {list?.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name} ({d.rowCount.toLocaleString()} rows)
            </option>
          ))}
          {typeof p.value === 'string' && p.value && list && !list.some((d) => d.id === p.value) && <option value={p.value}>{p.value} (missing)</option>}
        </select>
      )}
    </Field>
  );
}

function TargetField(p: Rich) {
  const doc = useDatasetDoc(p.datasetId);
  const cols = doc?.schema.columns ?? [];
  return (
    <Field label={p.label} hint={p.datasetId ? p.schema.description : 'Choose a dataset first'} error={p.error}>
      {({ id, describedBy, invalid }) => (
        <select id={id} aria-label={p.aria} aria-describedby={describedBy} aria-invalid={invalid} value={typeof p.value === 'string' ? p.value : ''} onChange={(e) => p.onChange(e.target.value || undefined)} disabled={!p.datasetId}>
          <option value="">{p.required ? 'Choose a column…' : 'No target'}</option>
          {cols
            .filter((c) => c.role !== 'ignore')
            .map((c) => (
              <option key={c.name} value={c.name}>
                {c.name} · {c.type}
                {c.role === 'target' ? ' (marked target)' : ''}
              </option>
            ))}
        </select>
      )}
    </Field>
  );
}

function ModelField(p: Rich) {
  const [models, setModels] = useState<ModelDoc[] | null>(null);
  useEffect(() => {
    api.models().then(setModels, () => setModels([]));
  }, []);
  return (
    <Field label={p.label} hint={p.schema.description} error={p.error}>
      {({ id, describedBy, invalid }) => (
        <select id={id} aria-label={p.aria} aria-describedby={describedBy} aria-invalid={invalid} value={typeof p.value === 'string' ? p.value : ''} onChange={(e) => p.onChange(e.target.value || undefined)}>
          <option value="">Choose a trained model…</option>
          {models?.map((m) => (
            <option key={m.id} value={m.id}>
              {m.nodeType.replace(/_/g, ' ')} → {m.target} ({m.id.slice(0, 14)})
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
