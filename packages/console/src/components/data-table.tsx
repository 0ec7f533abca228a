import type { ReactNode } from 'react';

/**
 * The console's list table: a scrolling wrapper, one header row of column names
 * (a `false` column is left out, e.g. actions for a viewer), and the rows as children.
 */
export function DataTable(props: { columns: ReadonlyArray<string | false>; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            {props.columns
              .filter((c): c is string => c !== false)
              .map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
