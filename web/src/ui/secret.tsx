/** A secret the server shows once: read-only, selectable, with a copy button and (for keys) the curl line to try it. */
import { useId, useState } from 'react';

export function SecretOnce({ label, secret, curl }: { label: string; secret: string; curl?: string }) {
  const id = useId();
  return (
    <section className="secret" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{label}</h3>
      <p className="warning">This is shown only once. Copy it now and keep it somewhere safe: Trellis stores only a hash and cannot show it again.</p>
      <CopyLine label={label} value={secret} />
      {curl && (
        <>
          <p>Try it:</p>
          <CopyLine label="curl command" value={curl} />
        </>
      )}
    </section>
  );
}

export function CopyLine({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | undefined>();
  const id = useId();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      // No clipboard access (an insecure origin, a denied permission): select the text for Ctrl-C.
      const field = document.getElementById(id) as HTMLInputElement | null;
      field?.select();
      setCopied('no');
    }
  };
  return (
    <div className="copy-line">
      <input id={id} readOnly value={value} aria-label={label} onFocus={(event) => event.currentTarget.select()} />
      <button type="button" className="button" onClick={copy}>
        Copy<span className="visually-hidden"> {label}</span>
      </button>
      <span role="status" className="copy-status">
        {copied === 'yes' ? 'Copied.' : copied === 'no' ? 'Selected: press Ctrl-C (⌘C) to copy.' : ''}
      </span>
    </div>
  );
}
