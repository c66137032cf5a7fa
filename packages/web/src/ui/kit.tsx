/**
 * Weft's small design system: buttons, fields, badges, progress, panels, tabs and empty
 * states. Styling lives in styles.css under the same class names.
 */
import { useId, type ButtonHTMLAttributes, type ReactNode } from 'react';
import { Icon, type IconName } from './icons';

type Variant = 'primary' | 'secondary' | 'ghost' | 'danger';

export function Button({
  variant = 'secondary',
  icon,
  size = 'md',
  children,
  className = '',
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; icon?: IconName; size?: 'sm' | 'md' }) {
  return (
    <button type="button" className={`btn btn-${variant} btn-${size} ${children ? '' : 'btn-icon'} ${className}`} {...rest}>
      {icon && <Icon name={icon} size={size === 'sm' ? 14 : 16} />}
      {children && <span>{children}</span>}
    </button>
  );
}

/** Label, control, hint and inline error, wired with ids for assistive technology. */
export function Field({
  label,
  hint,
  error,
  children,
  inline,
}: {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  inline?: boolean;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errId = error ? `${id}-err` : undefined;
  const describedBy = [errId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${inline ? 'field-inline' : ''} ${error ? 'field-invalid' : ''}`}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {error && (
        <p id={errId} className="field-error" role="alert">
          {error}
        </p>
      )}
      {hint && !error && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}

const STATE_TONE: Record<string, string> = {
  pending: 'neutral',
  queued: 'neutral',
  leased: 'info',
  running: 'info',
  completed: 'success',
  succeeded: 'success',
  failed: 'danger',
  cancelled: 'warning',
  stopped: 'warning',
};

export function Badge({ tone = 'neutral', children, title }: { tone?: string; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

/** Short names of node run states, the same on nodes, the inspector and job details. */
export const NODE_STATE_LABEL: Record<string, string> = { completed: 'done', succeeded: 'done' };

export function StateBadge({ state, label }: { state: string; label?: string }) {
  return (
    <span className={`badge badge-${STATE_TONE[state] ?? 'neutral'} state-badge`} data-state={state}>
      <span className="dot" aria-hidden="true" />
      {label ?? state}
    </span>
  );
}

export function ProgressBar({ value, label, indeterminate }: { value: number | null; label: string; indeterminate?: boolean }) {
  const pct = value == null ? 0 : Math.max(0, Math.min(1, value)) * 100;
  return (
    <div
      className={`progress ${indeterminate || value == null ? 'progress-indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      {...(value != null ? { 'aria-valuenow': Math.round(pct) } : {})}
    >
      <div className="progress-fill" style={{ width: value == null ? undefined : `${pct}%` }} />
    </div>
  );
}

export function Panel({ title, actions, children, className = '', ...rest }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string } & Record<`aria-${string}`, string>) {
  return (
    <section className={`panel ${className}`} {...rest}>
      {(title || actions) && (
        <header className="panel-head">
          {title && <h2 className="panel-title">{title}</h2>}
          {actions && <div className="panel-actions">{actions}</div>}
        </header>
      )}
      <div className="panel-body">{children}</div>
    </section>
  );
}

export function EmptyState({ icon, title, children }: { icon: IconName; title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <div className="empty-icon">
        <Icon name={icon} size={28} />
      </div>
      <p className="empty-title">{title}</p>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}

export function Tabs<T extends string>({ tabs, value, onChange, label }: { tabs: Array<{ id: T; label: ReactNode }>; value: T; onChange: (t: T) => void; label: string }) {
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          aria-selected={t.id === value}
          tabIndex={t.id === value ? 0 : -1}
          className={`tab ${t.id === value ? 'tab-active' : ''}`}
          onClick={() => onChange(t.id)}
          onKeyDown={(e) => {
            const i = tabs.findIndex((x) => x.id === value);
            if (e.key === 'ArrowRight') onChange(tabs[(i + 1) % tabs.length]!.id);
            if (e.key === 'ArrowLeft') onChange(tabs[(i - 1 + tabs.length) % tabs.length]!.id);
          }}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return <span className="spinner" role="status" aria-label={label} />;
}

export function ErrorNote({ children }: { children: ReactNode }) {
  return (
    <div className="note note-danger" role="alert">
      <Icon name="alert" size={16} />
      <div>{children}</div>
    </div>
  );
}
