// What a frontend writes against the types openapi-typescript generates from
// /-/openapi.json (schema.d.ts, written by tests/integration/test_generated_clients.py).
// `tsc --noEmit` fails if the document describes these answers otherwise.
import type { components, paths } from "./schema";

type Document = components["schemas"]["Document"];
type DocumentCreate = components["schemas"]["DocumentCreate"];
type DocumentPage = components["schemas"]["DocumentPage"];
type Status = Document["status"];
type Read = paths["/-/documents/{id}"]["get"];
type Fetched = Read["responses"][200]["content"]["application/json"];
type Tagged = paths["/-/api/documents/tag"]["post"]["responses"][200]["content"]["application/json"];
type ErrorBody = components["schemas"]["Error"];

export function headline(document: Document): string {
  const tags: string[] = document.tags;
  const version: number = document.__meta__.version;
  const owner: string | null = document.__meta__.owner;
  const status: Status = document.status;
  return `${document.title} (${status}, v${version}, ${owner ?? "a team's"}): ${tags.join(", ")}`;
}

export function draft(title: string): DocumentCreate {
  return { title, tags: ["draft"], attributes: { priority: 1 } };
}

export function titles(page: DocumentPage): { count: number; more: boolean; titles: string[] } {
  const next: string | null = page.next;
  return { count: page.count, more: next !== null, titles: page.results.map((document) => document.title) };
}

export function taggedIds(answer: Tagged): string[] {
  return answer.map((document) => document.__meta__.id);
}

export function firstProblem(error: ErrorBody): string {
  const [first] = error.errors;
  return first === undefined ? String(error.status) : `${first.location} ${first.name}: ${first.description}`;
}

export async function fetchDocument(base: string, id: Read["parameters"]["path"]["id"], key: string): Promise<Fetched> {
  const response = await fetch(`${base}/-/documents/${encodeURIComponent(id)}`, {
    headers: { Accept: "application/json", Authorization: `Token ${key}` },
  });
  if (!response.ok) {
    throw new Error(firstProblem((await response.json()) as ErrorBody));
  }
  const document: Document = (await response.json()) as Fetched;
  return document;
}
