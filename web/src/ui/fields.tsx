/**
 * Labelled form fields that show the API's field errors next to the field
 * (linked with aria-describedby, marked aria-invalid), so a screen reader
 * hears the problem where it is.
 */
import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';

interface Common {
  label: ReactNode;
  hint?: ReactNode;
  /** The messages the API gave for this field. */
  errors?: string[] | undefined;
}

function useDescribed(hint: ReactNode, errors: string[] | undefined) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors && errors.length > 0 ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  const extra = (
    <>
      {hint && (
        <span className="hint" id={hintId}>
          {hint}
        </span>
      )}
      {errorId && (
        <span className="field-error" id={errorId}>
          {errors?.join(' ')}
        </span>
      )}
    </>
  );
  return { id, describedBy, invalid: errorId !== undefined, extra };
}

export function TextField({ label, hint, errors, ...input }: Common & InputHTMLAttributes<HTMLInputElement>) {
  const { id, describedBy, invalid, extra } = useDescribed(hint, errors);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-describedby={describedBy} aria-invalid={invalid || undefined} {...input} />
      {extra}
    </div>
  );
}

export function TextArea({ label, hint, errors, ...input }: Common & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const { id, describedBy, invalid, extra } = useDescribed(hint, errors);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} aria-describedby={describedBy} aria-invalid={invalid || undefined} {...input} />
      {extra}
    </div>
  );
}

export function SelectField({ label, hint, errors, children, ...select }: Common & SelectHTMLAttributes<HTMLSelectElement>) {
  const { id, describedBy, invalid, extra } = useDescribed(hint, errors);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-describedby={describedBy} aria-invalid={invalid || undefined} {...select}>
        {children}
      </select>
      {extra}
    </div>
  );
}

export function CheckboxField({ label, hint, errors, ...input }: Common & Omit<InputHTMLAttributes<HTMLInputElement>, 'type'>) {
  const { id, describedBy, invalid, extra } = useDescribed(hint, errors);
  return (
    <div className="field field-check">
      <input type="checkbox" id={id} aria-describedby={describedBy} aria-invalid={invalid || undefined} {...input} />
      <label htmlFor={id}>{label}</label>
      {extra}
    </div>
  );
}

/** A group of related controls with its legend, and the API's errors for the group's field. */
export function FieldGroup({ legend, hint, errors, children }: { legend: ReactNode; hint?: ReactNode; errors?: string[] | undefined; children: ReactNode }) {
  const id = useId();
  const hasErrors = errors !== undefined && errors.length > 0;
  return (
    <fieldset className="field-group" aria-describedby={[hint ? `${id}-hint` : '', hasErrors ? `${id}-error` : ''].join(' ').trim() || undefined}>
      <legend>{legend}</legend>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {children}
      {hasErrors && (
        <p className="field-error" id={`${id}-error`}>
          {errors.join(' ')}
        </p>
      )}
    </fieldset>
  );
}
