import type { ReactNode } from 'react';

export function Loading(props: { what: string }) {
  return (
    <p className="state loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {props.what}…
    </p>
  );
}

export function ErrorBox(props: { error: Error; retry?: () => void }) {
  return (
    <div className="state error" role="alert">
      <strong>Something went wrong.</strong> {props.error.message}
      {props.retry && (
        <button type="button" className="link" onClick={props.retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty(props: { title: string; children?: ReactNode }) {
  return (
    <div className="state empty">
      <strong>{props.title}</strong>
      {props.children && <div>{props.children}</div>}
    </div>
  );
}

/** Loading on first load, then the data; an error keeps the last data on screen. */
export function Async<T>(props: {
  what: string;
  data: T | undefined;
  error: Error | undefined;
  reload?: () => void;
  children: (data: T) => ReactNode;
}) {
  if (props.data === undefined) {
    return props.error ? (
      <ErrorBox error={props.error} retry={props.reload} />
    ) : (
      <Loading what={props.what} />
    );
  }
  return (
    <>
      {props.error && <ErrorBox error={props.error} retry={props.reload} />}
      {props.children(props.data)}
    </>
  );
}

export function ReadOnlyNote() {
  return (
    <p className="note" role="note">
      You are signed in as a <strong>viewer</strong>: you can look, an admin token is needed to change things.
    </p>
  );
}
