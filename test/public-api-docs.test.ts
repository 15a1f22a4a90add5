/**
 * The public API is documented: every export of `cdk8s-access-tokens` (src/index.ts),
 * `cdk8s-access-tokens/rbac` (src/rbac/index.ts) and `cdk8s-access-tokens/runtime`
 * (src/runtime/index.ts), and every public member of the
 * interfaces, classes and object types among them, has a doc comment. The .d.ts files are the
 * reference users read in their editor; an undocumented field leaves its units, what
 * `undefined` means and how it may be handled to guesswork.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { strictProgram } from './ts-program.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src') + '/';
const ENTRY_POINTS = ['src/index.ts', 'src/rbac/index.ts', 'src/runtime/index.ts'];

const isOurs = (node: ts.Node) => node.getSourceFile().fileName.startsWith(src);

function docOf(symbol: ts.Symbol, checker: ts.TypeChecker): string {
  return ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
}

/** Not part of the public API: private, protected, `#private`, `_underscored`, constructors. */
function isHidden(member: ts.Symbol): boolean {
  if (member.name === '__constructor' || member.name === 'prototype') return true;
  if (member.name.startsWith('_')) return true;
  return (member.declarations ?? []).some(
    (d) =>
      (ts.isClassElement(d) && d.name !== undefined && ts.isPrivateIdentifier(d.name)) ||
      (ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !==
        0,
  );
}

/** The object-literal types written inline in a type (`{ a: string } | { b: number }[]`). */
function typeLiterals(node: ts.TypeNode | undefined): ts.TypeLiteralNode[] {
  if (node === undefined) return [];
  if (ts.isTypeLiteralNode(node)) return [node];
  if (ts.isUnionTypeNode(node) || ts.isIntersectionTypeNode(node)) {
    return node.types.flatMap(typeLiterals);
  }
  if (ts.isArrayTypeNode(node)) return typeLiterals(node.elementType);
  if (ts.isParenthesizedTypeNode(node) || ts.isTypeOperatorNode(node)) {
    return typeLiterals(node.type);
  }
  if (ts.isTypeReferenceNode(node)) return (node.typeArguments ?? []).flatMap(typeLiterals);
  return [];
}

/** Every name of the public API that should have a doc comment, and those that have none. */
function publicApiDocs(): { checked: string[]; missing: string[] } {
  const program = strictProgram(ENTRY_POINTS.map((entry) => join(root, entry)));
  const checker = program.getTypeChecker();
  const checked = new Set<string>();
  const missing = new Set<string>();
  const check = (name: string, symbol: ts.Symbol) => {
    checked.add(name);
    if (!docOf(symbol, checker)) missing.add(name);
  };

  /** Members declared in src/ (also inherited from an unexported base), and their inline types. */
  function checkMembers(owner: string, members: readonly ts.Symbol[]): void {
    for (const member of members) {
      const declarations = (member.declarations ?? []).filter(isOurs);
      if (declarations.length === 0 || isHidden(member)) continue;
      const name = `${owner}.${member.name}`;
      check(name, member);
      for (const d of declarations) {
        if (ts.isPropertySignature(d) || ts.isPropertyDeclaration(d) || ts.isParameter(d)) {
          if (d.type !== undefined) checkTypeLiterals(name, d.type);
        }
      }
    }
  }

  function checkTypeLiterals(owner: string, type: ts.TypeNode): void {
    for (const literal of typeLiterals(type)) {
      checkMembers(owner, checker.getTypeAtLocation(literal).getProperties());
    }
  }

  for (const entry of ENTRY_POINTS) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(join(root, entry))!)!;
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol =
        exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const declaration = symbol.declarations?.[0];
      if (declaration === undefined || !isOurs(declaration)) continue;
      const where = `${entry}: ${exported.name}`;
      check(where, symbol);
      if (symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.Class)) {
        // Instance members, inherited ones included.
        checkMembers(where, checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol)));
      }
      if (symbol.flags & ts.SymbolFlags.Class) {
        // Static members: the properties of the class's constructor function.
        const constructorType = checker.getTypeOfSymbolAtLocation(symbol, declaration);
        checkMembers(where, checker.getPropertiesOfType(constructorType));
      }
      if (symbol.flags & ts.SymbolFlags.TypeAlias && ts.isTypeAliasDeclaration(declaration)) {
        checkTypeLiterals(where, declaration.type);
      }
    }
  }
  return { checked: [...checked].sort(), missing: [...missing].sort() };
}

describe('public API documentation', () => {
  // GIVEN the three entry points, WHEN their exports and members are listed (one program, ~5 s)
  let checked: string[] = [];
  let missing: string[] = [];
  beforeAll(() => {
    ({ checked, missing } = publicApiDocs());
  });

  test('every export and every public member of its types has a doc comment', () => {
    // THEN none lacks one; the failure lists each `entry: Type.member` that does
    expect(missing).toEqual([]);
  });

  test('the walk reaches exports, instance and static members, and inline object types', () => {
    // THEN it looked at what it should (a check that looks at nothing would pass too), and
    // skipped what users cannot reach: private members and members inherited from libraries
    expect(checked).toEqual(
      expect.arrayContaining([
        'src/index.ts: ServiceAccountAccess',
        'src/index.ts: ServiceAccountAccess.rules',
        'src/index.ts: Permission.read',
        'src/index.ts: PolicyRule.verbs',
        'src/rbac/index.ts: RbacAuthorizer.whoCan',
        'src/rbac/index.ts: LintReport.counts.acknowledged',
        'src/runtime/index.ts: mintToken',
        'src/runtime/index.ts: MintedToken.token',
        'src/runtime/index.ts: TokenDestination.name',
      ]),
    );
    expect(checked).not.toContain('src/index.ts: ServiceAccountAccess.permissions');
    expect(checked).not.toContain('src/index.ts: ServiceAccountAccess.node');
  });
});
