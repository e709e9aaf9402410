// The forms of a page, as a browser reads them (htmlparser2): each form's
// method (GET unless it says otherwise, in any case), its action, and the
// names of its fields. Pure: HTML in, forms out.
import { Parser } from 'htmlparser2';

export interface Form {
  /** Upper case, as browsers read it: POST, GET. */
  method: string;
  /** As written; '' when the form has none (it then posts to its own page). */
  action: string;
  /** Names of its inputs, selects, textareas and buttons. */
  fields: string[];
  /** Its hidden inputs' names and values (a CSRF token, say): a browser submits them with the form. */
  hidden: Record<string, string>;
}

export function formsOf(html: string): Form[] {
  const forms: Form[] = [];
  let open: Form | undefined;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'form') {
          open = { method: (attrs.method || 'get').trim().toUpperCase(), action: (attrs.action ?? '').trim(), fields: [], hidden: {} };
          forms.push(open);
        } else if (open && ['input', 'select', 'textarea', 'button'].includes(name) && attrs.name) {
          open.fields.push(attrs.name);
          if (name === 'input' && attrs.type?.trim().toLowerCase() === 'hidden') open.hidden[attrs.name] = attrs.value ?? '';
        }
      },
      onclosetag(name) {
        if (name === 'form') open = undefined;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  return forms;
}

/** Whether a form on the page at `pagePath` posts to `path` (its action relative, absolute on this site, or with a query; none: the page itself). */
export function actionIs(form: Form, path: string, pagePath: string): boolean {
  try {
    return new URL(form.action, new URL(pagePath, 'http://app.invalid/')).pathname === path;
  } catch {
    return false;
  }
}

/** The targets of a page's links (`<a href>`), as written. */
export function linksOf(html: string): string[] {
  const links: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'a' && attrs.href) links.push(attrs.href.trim());
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  return links;
}
