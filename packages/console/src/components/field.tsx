import { createContext, type ReactNode, useContext } from 'react';

/** Field paths rendered on the form; issues for other paths are listed at the top. */
export interface IssueContextValue {
  issues: ReadonlyMap<string, string[]>;
  placed: Set<string>;
  disabled: boolean;
}

export const IssueContext = createContext<IssueContextValue>({
  issues: new Map(),
  placed: new Set(),
  disabled: false,
});

export const fieldId = (path: string) => `f-${path.replace(/[^a-zA-Z0-9_-]/g, '-')}`;

/** The error of one field (by document path), rendered next to it and linked for screen readers. */
export function useField(path: string) {
  const ctx = useContext(IssueContext);
  ctx.placed.add(path);
  const messages = ctx.issues.get(path);
  const id = fieldId(path);
  return {
    id,
    disabled: ctx.disabled,
    invalid: messages !== undefined,
    inputProps: {
      id,
      disabled: ctx.disabled,
      'aria-invalid': messages ? true : undefined,
      'aria-describedby': messages ? `${id}-error` : undefined,
      'data-path': path,
    },
    error: messages ? (
      <span id={`${id}-error`} className="field-error" data-error-for={path}>
        {messages.join('; ')}
      </span>
    ) : null,
  };
}

export function Field(props: {
  path: string;
  label: string;
  hint?: ReactNode;
  children: (p: ReturnType<typeof useField>) => ReactNode;
}) {
  const field = useField(props.path);
  return (
    <div className={`field${field.invalid ? ' invalid' : ''}`}>
      <label htmlFor={field.id}>{props.label}</label>
      {props.children(field)}
      {props.hint && <span className="hint">{props.hint}</span>}
      {field.error}
    </div>
  );
}
