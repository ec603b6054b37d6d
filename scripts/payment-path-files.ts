/**
 * The files a payment crosses from `PaymentsController.pay` to the processor call, as a newcomer
 * would follow them: `npx ts-node --transpile-only scripts/payment-path-files.ts [--list | --why]`
 * prints their count per area (`--list`: and the files; `--why`: each with the chain of
 * declarations that first reached it). Run it before and after a change of the payment path.
 *
 * It walks what the code runs, not whole files: from the body of `pay` (and the services its
 * constructor injects), every identifier is resolved by the type checker to its declaration,
 * through path aliases and barrels, and that declaration is walked in turn. A method reached is
 * walked alone, not its class's other methods; a class reached by name walks its constructor and
 * fields. Types count (a reader opens them too). What the command bus hides is followed as a
 * reader must: a command class reached leads to the execute of its `@CommandHandler`. Dependency
 * injection tokens are not followed to the module that provides them.
 *
 * The walk stops at the ports a payment hands over to: libs/processors (the connector call) and
 * libs/event-store (appends and reads), whose files reached are counted but not followed, and at
 * node_modules, which are not counted.
 */
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
const START_FILE = path.join(ROOT, 'apps/api/src/payments/payments.controller.ts');
const BOUNDARIES = ['libs/processors/', 'libs/event-store/'].map((dir) => path.join(ROOT, dir));

function program(): ts.Program {
  const configPath = path.join(ROOT, 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } });
  if (!config) throw new Error('no tsconfig.json');
  return ts.createProgram({ rootNames: config.fileNames, options: config.options });
}

function isOurs(file: ts.SourceFile): boolean {
  return !file.isDeclarationFile && file.fileName.startsWith(ROOT) && !file.fileName.includes('/node_modules/');
}

const isBoundary = (file: ts.SourceFile) => BOUNDARIES.some((dir) => file.fileName.startsWith(dir));

/** The unit of code a declaration belongs to: a member of a class, else the top-level statement. */
function unitOf(declaration: ts.Node): ts.Node {
  let node: ts.Node = declaration;
  while (node.parent && !ts.isSourceFile(node.parent)) {
    if (ts.isClassLike(node.parent) && ts.isClassElement(node)) return node;
    node = node.parent;
  }
  return node;
}

/** The classes decorated `@CommandHandler(X)`, by X's declaration: what `CommandBus.execute(new X(...))` runs. */
function commandHandlers(checker: ts.TypeChecker, files: readonly ts.SourceFile[]): Map<ts.Node, ts.ClassDeclaration> {
  const handlers = new Map<ts.Node, ts.ClassDeclaration>();
  for (const file of files) {
    file.forEachChild(function visit(node) {
      if (ts.isClassDeclaration(node)) {
        for (const decorator of ts.getDecorators(node) ?? []) {
          const call = decorator.expression;
          if (!ts.isCallExpression(call) || call.expression.getText() !== 'CommandHandler' || !call.arguments[0]) continue;
          const command = declarationOf(checker, call.arguments[0]);
          if (command) handlers.set(unitOf(command), node);
        }
      }
    });
  }
  return handlers;
}

function declarationOf(checker: ts.TypeChecker, node: ts.Node): ts.Declaration | undefined {
  let symbol = checker.getSymbolAtLocation(node);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  return symbol?.declarations?.find((d) => isOurs(d.getSourceFile()));
}

/** What to walk of a unit: a class reached by name is its decorators, heritage, constructor and fields, not its methods. */
function walkedParts(unit: ts.Node): readonly ts.Node[] {
  if (!ts.isClassDeclaration(unit)) return [unit];
  return [...(ts.getDecorators(unit) ?? []), ...(unit.heritageClauses ?? []), ...unit.members.filter((m) => !ts.isMethodDeclaration(m) && !ts.isGetAccessor(m) && !ts.isSetAccessor(m))];
}

/** Each file reached, with the chain of declarations that first reached it. */
function paymentPath(): Map<string, string> {
  const prog = program();
  const checker = prog.getTypeChecker();
  const ours = prog.getSourceFiles().filter(isOurs);
  const handlers = commandHandlers(checker, ours);
  const controller = prog.getSourceFile(START_FILE);
  if (!controller) throw new Error(`${START_FILE} is not in the program`);
  const controllerClass = controller.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === 'PaymentsController');
  const pay = controllerClass?.members.find((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && m.name.getText() === 'pay');
  const constructor = controllerClass?.members.find(ts.isConstructorDeclaration);
  if (!pay?.body || !constructor) throw new Error('PaymentsController.pay not found');

  const files = new Map<string, string>([[controller.fileName, 'PaymentsController.pay']]);
  const seen = new Set<ts.Node>();
  /** For --why: the unit that first reached each unit. */
  const reachedFrom = new Map<ts.Node, ts.Node>();
  // pay's body, and the parameter types of the constructor (its services), not the decorators of its OpenAPI description.
  const queue: ts.Node[] = [pay.body, ...pay.parameters.map((p) => p.type).filter((t): t is ts.TypeNode => t !== undefined), ...constructor.parameters.map((p) => p.type!).filter(Boolean)];
  const reach = (unit: ts.Node, from: ts.Node) => {
    if (seen.has(unit)) return;
    seen.add(unit);
    reachedFrom.set(unit, from);
    const file = unit.getSourceFile();
    if (!files.has(file.fileName)) files.set(file.fileName, chain(unit));
    if (!isBoundary(file)) queue.push(...walkedParts(unit));
    const handler = handlers.get(unit);
    if (handler) {
      reach(handler, unit);
      const execute = handler.members.find((m) => ts.isMethodDeclaration(m) && m.name.getText() === 'execute');
      if (execute) reach(execute, handler);
    }
  };
  const chain = (unit: ts.Node): string => {
    const names: string[] = [];
    const visited = new Set<ts.Node>();
    // The units walked first (pay, the constructor) may be reached again later: stop at a repeat.
    for (let at: ts.Node | undefined = unit; at && !visited.has(at); at = reachedFrom.get(at)) {
      visited.add(at);
      names.unshift(nameOf(at));
    }
    return names.join(' -> ');
  };
  while (queue.length > 0) {
    const node = queue.pop()!;
    const from = unitOf(node);
    node.forEachChild(function visit(child) {
      if (ts.isIdentifier(child) || ts.isPrivateIdentifier(child)) {
        const declaration = declarationOf(checker, child);
        if (declaration && !isWithin(declaration, node)) reach(unitOf(declaration), from);
      }
      child.forEachChild(visit);
    });
  }
  return new Map([...files].map(([file, why]) => [path.relative(ROOT, file), why] as [string, string]).sort(([a], [b]) => a.localeCompare(b)));
}

function nameOf(unit: ts.Node): string {
  const named = (node: ts.Node) => ((node as ts.NamedDeclaration).name ? (node as ts.NamedDeclaration).name!.getText() : ts.isConstructorDeclaration(node) ? 'constructor' : ts.SyntaxKind[node.kind]);
  const own = ts.isVariableStatement(unit) ? unit.declarationList.declarations.map((d) => d.name.getText()).join(', ') : named(unit);
  return ts.isClassLike(unit.parent) ? `${unit.parent.name?.getText() ?? 'class'}.${own}` : own;
}

function isWithin(inner: ts.Node, outer: ts.Node): boolean {
  return inner.getSourceFile() === outer.getSourceFile() && inner.pos >= outer.pos && inner.end <= outer.end;
}

const files = paymentPath();
const why = process.argv.includes('--why');
if (why || process.argv.includes('--list')) for (const [file, reached] of files) console.log(why ? `${file}\n    ${reached}` : file);
const byArea = new Map<string, number>();
for (const file of files.keys()) {
  const area = file.split('/').slice(0, 2).join('/');
  byArea.set(area, (byArea.get(area) ?? 0) + 1);
}
console.log([...byArea].map(([area, count]) => `${area} ${count}`).join(', '));
console.log(`${files.size} files from PaymentsController.pay to the processor call`);
