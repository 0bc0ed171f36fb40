import ts from 'typescript';
import { defaultClientMethodWireName } from '../hub/client-methods.js';
import { normalizeHubPath } from '../decorators/hub-path.js';
import type { ClientMethodModel, ClientModel, HubMethodModel, HubModel, ParameterModel } from './hub-model.js';
import { declaredParameterType, documentation, TypeWriter } from './type-writer.js';

/** The library's decorators, recognised by the file that declares them (source or published `.d.ts`). */
const LIBRARY_DECORATOR_FILE =
  /[\\/]decorators[\\/](hub|hub-method|hub-caller|upload-stream)\.decorator\.(d\.)?[cm]?ts$/;
/** Types whose first type argument is what a stream carries. */
const STREAM_TYPES = new Set(['AsyncIterable', 'AsyncIterableIterator', 'AsyncGenerator', 'Observable']);

/** Reads the hubs of the program's own files (its root files) through the type checker. */
export function readHubs(program: ts.Program): ClientModel {
  const checker = program.getTypeChecker();
  const types = new TypeWriter(checker);
  const roots = new Set(program.getRootFileNames().map((file) => ts.sys.resolvePath(file)));
  const hubs: HubModel[] = [];
  for (const sourceFile of program.getSourceFiles()) {
    if (sourceFile.isDeclarationFile || !roots.has(ts.sys.resolvePath(sourceFile.fileName))) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isClassDeclaration(node)) {
        const hub = readHub(node, checker, types);
        if (hub) hubs.push(hub);
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  hubs.sort((a, b) => (a.className < b.className ? -1 : a.className > b.className ? 1 : 0));
  for (let i = 1; i < hubs.length; i++) {
    if (hubs[i].className === hubs[i - 1].className) {
      throw new Error(`Two hubs are named ${hubs[i].className}; the generated client needs distinct names.`);
    }
  }
  return { hubs, types: types.declarations() };
}

function readHub(node: ts.ClassDeclaration, checker: ts.TypeChecker, types: TypeWriter): HubModel | undefined {
  const hubCall = libraryDecorators(node, checker).get('Hub');
  if (!hubCall) return undefined;
  const className = node.name?.text;
  if (!className) throw new Error(`${where(node)}: a hub class needs a name.`);
  const pathArgument = hubCall.arguments[0];
  if (!pathArgument || !ts.isStringLiteralLike(pathArgument)) {
    throw new Error(`${where(hubCall)}: @Hub() needs its path as a string literal for generate-client.`);
  }
  const methods: HubMethodModel[] = [];
  for (const member of node.members) {
    if (!ts.isMethodDeclaration(member)) continue;
    const methodCall = libraryDecorators(member, checker).get('HubMethod');
    if (methodCall) methods.push(readHubMethod(member, methodCall, checker, types));
  }
  const clientType = hubCall.typeArguments?.[0];
  const clientMethods = clientType
    ? readClientMethods(
        checker.getTypeFromTypeNode(clientType),
        readClientMethodNames(hubCall, checker),
        checker,
        types,
      )
    : [];
  return { className, path: normalizeHubPath(pathArgument.text), methods, clientMethods };
}

function readHubMethod(
  method: ts.MethodDeclaration,
  decorator: ts.CallExpression,
  checker: ts.TypeChecker,
  types: TypeWriter,
): HubMethodModel {
  const name = method.name.getText();
  const options = decorator.arguments[0];
  let wireName = name;
  let forceStream = false;
  if (options && ts.isStringLiteralLike(options)) wireName = options.text;
  else if (options && ts.isObjectLiteralExpression(options)) {
    const nameOption = literalProperty(options, 'name');
    if (nameOption && ts.isStringLiteralLike(nameOption)) wireName = nameOption.text;
    forceStream = literalProperty(options, 'stream')?.kind === ts.SyntaxKind.TrueKeyword;
  } else if (options) {
    throw new Error(`${where(options)}: @HubMethod() needs a string or an object literal for generate-client.`);
  }

  const parameters: ParameterModel[] = [];
  for (const parameter of method.parameters) {
    const decorators = libraryDecorators(parameter, checker);
    const upload = decorators.has('UploadStream');
    // Other decorated parameters (@HubCaller() and Nest's own) are not sent by the client.
    if (!upload && ts.getDecorators(parameter)?.length) continue;
    const type = declaredParameterType(parameter, checker);
    const itemType = upload ? streamItemType(type, checker) : undefined;
    if (upload && !itemType) {
      throw new Error(`${where(parameter)}: an @UploadStream() parameter must be an AsyncIterable<T>.`);
    }
    parameters.push({
      name: parameter.name.getText(),
      type: types.write(itemType ?? type),
      optional: !upload && (parameter.questionToken !== undefined || parameter.initializer !== undefined),
      upload,
      rest: false,
    });
  }
  // Only trailing parameters can be left out by the caller.
  for (let i = parameters.length - 2; i >= 0; i--) {
    if (parameters[i].optional && !parameters[i + 1].optional) parameters[i] = { ...parameters[i], optional: false };
  }

  const signature = checker.getSignatureFromDeclaration(method);
  if (!signature) throw new Error(`${where(method)}: cannot read the signature of ${name}().`);
  const returnType = checker.getReturnTypeOfSignature(signature);
  const isAsyncGenerator =
    method.asteriskToken !== undefined && method.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) === true;
  const itemType = streamItemType(returnType, checker);
  const streaming = isAsyncGenerator || forceStream || isObservable(returnType);
  if (streaming && !itemType) {
    throw new Error(
      `${where(method)}: cannot tell what ${name}() streams; return an Observable<T> or AsyncIterable<T>.`,
    );
  }
  return {
    name,
    wireName,
    parameters,
    streaming,
    type: streaming ? types.write(itemType!) : types.writeResult(returnType),
    documentation: documentation(checker.getSymbolAtLocation(method.name)!, checker, '    '),
  };
}

function readClientMethods(
  clientType: ts.Type,
  wireNames: ReadonlyMap<string, string>,
  checker: ts.TypeChecker,
  types: TypeWriter,
): ClientMethodModel[] {
  const methods: ClientMethodModel[] = [];
  for (const property of checker.getPropertiesOfType(clientType)) {
    const signatures = checker.getTypeOfSymbol(property).getCallSignatures();
    if (signatures.length === 0) continue;
    if (signatures.length > 1) {
      throw new Error(`Client method ${property.name}() has overloads; a client method has one signature.`);
    }
    const [signature] = signatures;
    const parameters = signature.getParameters().map((parameter): ParameterModel => {
      const declaration = parameter.valueDeclaration as ts.ParameterDeclaration | undefined;
      return {
        name: parameter.name,
        type: types.write(
          declaration ? declaredParameterType(declaration, checker) : checker.getTypeOfSymbol(parameter),
        ),
        optional: declaration?.questionToken !== undefined || declaration?.initializer !== undefined,
        upload: false,
        rest: declaration?.dotDotDotToken !== undefined,
      };
    });
    methods.push({
      name: property.name,
      wireName: wireNames.get(property.name) ?? defaultClientMethodWireName(property.name),
      parameters,
      result: types.writeResult(signature.getReturnType()),
      documentation: documentation(property, checker, '    '),
    });
  }
  for (const name of wireNames.keys()) {
    if (!methods.some((method) => method.name === name)) {
      throw new Error(`clientMethodNames names ${name}, which the client interface does not declare.`);
    }
  }
  return methods;
}

/** `@Hub<Client>(path, { clientMethodNames: { receiveMessage: 'message' } })`, literal or through a constant. */
function readClientMethodNames(hubCall: ts.CallExpression, checker: ts.TypeChecker): Map<string, string> {
  const names = new Map<string, string>();
  const options = resolveInitializer(hubCall.arguments[1], checker);
  if (!options) return names;
  if (!ts.isObjectLiteralExpression(options)) {
    throw new Error(`${where(options)}: @Hub() options must be an object literal for generate-client.`);
  }
  const map = resolveInitializer(literalProperty(options, 'clientMethodNames'), checker);
  if (!map) return names;
  if (!ts.isObjectLiteralExpression(map)) {
    throw new Error(`${where(map)}: clientMethodNames must be an object literal for generate-client.`);
  }
  for (const property of map.properties) {
    const value = ts.isPropertyAssignment(property) ? resolveInitializer(property.initializer, checker) : undefined;
    const key = property.name && propertyKey(property.name);
    if (!value || !ts.isStringLiteralLike(value) || key === undefined) {
      throw new Error(`${where(property)}: clientMethodNames entries must be string literals.`);
    }
    names.set(key, value.text);
  }
  return names;
}

/** Follows a constant to its initializer, through `as const` and `satisfies`. */
function resolveInitializer(node: ts.Expression | undefined, checker: ts.TypeChecker): ts.Expression | undefined {
  let expression = node;
  for (let depth = 0; expression && depth < 10; depth++) {
    if (
      ts.isAsExpression(expression) ||
      ts.isSatisfiesExpression(expression) ||
      ts.isParenthesizedExpression(expression)
    ) {
      expression = expression.expression;
    } else if (ts.isIdentifier(expression)) {
      const declaration = aliased(checker.getSymbolAtLocation(expression), checker)?.valueDeclaration;
      if (!declaration || !ts.isVariableDeclaration(declaration) || !declaration.initializer) return expression;
      expression = declaration.initializer;
    } else return expression;
  }
  return expression;
}

function literalProperty(object: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const property of object.properties) {
    if (ts.isPropertyAssignment(property) && propertyKey(property.name) === name) return property.initializer;
  }
  return undefined;
}

function propertyKey(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteralLike(name) || ts.isNumericLiteral(name) ? name.text : undefined;
}

/** The library decorators on a node, by name, with their call. */
function libraryDecorators(node: ts.HasDecorators, checker: ts.TypeChecker): Map<string, ts.CallExpression> {
  const found = new Map<string, ts.CallExpression>();
  for (const decorator of ts.getDecorators(node) ?? []) {
    const call = decorator.expression;
    if (!ts.isCallExpression(call)) continue;
    const symbol = aliased(checker.getSymbolAtLocation(call.expression), checker);
    const file = symbol?.declarations?.[0]?.getSourceFile().fileName;
    if (symbol && file && LIBRARY_DECORATOR_FILE.test(file)) found.set(symbol.name, call);
  }
  return found;
}

function aliased(symbol: ts.Symbol | undefined, checker: ts.TypeChecker): ts.Symbol | undefined {
  return symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

function streamItemType(type: ts.Type, checker: ts.TypeChecker): ts.Type | undefined {
  const symbol = type.getSymbol();
  if (!symbol || !STREAM_TYPES.has(symbol.name)) return undefined;
  return checker.getTypeArguments(type as ts.TypeReference)[0];
}

function isObservable(type: ts.Type): boolean {
  return type.getSymbol()?.name === 'Observable';
}

function where(node: ts.Node): string {
  const sourceFile = node.getSourceFile();
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(node.getStart());
  return `${sourceFile.fileName}:${line + 1}:${character + 1}`;
}
