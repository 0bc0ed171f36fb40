import ts from 'typescript';
import type { TypeDeclarationModel } from './hub-model.js';

const FORMAT =
  ts.TypeFormatFlags.NoTruncation |
  ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType |
  ts.TypeFormatFlags.WriteClassExpressionAsTypeLiteral;

/**
 * Writes types as the generated client spells them, and declares there every
 * named type they use that is not global: a DTO class becomes an interface
 * of its public fields (what reaches the client), interfaces and aliases are
 * copied through the checker, enums keep their values.
 */
export class TypeWriter {
  private readonly declared = new Map<string, { symbol: ts.Symbol; text: string; documentation: string }>();
  private readonly visited = new Set<ts.Type>();

  constructor(private readonly checker: ts.TypeChecker) {}

  write(type: ts.Type): string {
    this.visit(type);
    return this.checker.typeToString(type, undefined, FORMAT);
  }

  /** The awaited type, `void` when there is nothing to await. */
  writeResult(type: ts.Type): string {
    const awaited = this.checker.getAwaitedType(type) ?? type;
    return awaited.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined) ? 'void' : this.write(awaited);
  }

  declarations(): TypeDeclarationModel[] {
    return [...this.declared]
      .map(([name, { text, documentation }]) => ({ name, text, documentation }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private visit(type: ts.Type): void {
    if (this.visited.has(type)) return;
    this.visited.add(type);
    const checker = this.checker;
    const enumSymbol = enumOf(type, checker);
    if (enumSymbol) {
      if (!isGlobal(enumSymbol)) this.declareEnum(enumSymbol);
      return;
    }
    if (type.aliasSymbol && type.aliasSymbol.flags & ts.SymbolFlags.TypeAlias && !isGlobal(type.aliasSymbol)) {
      this.declareAlias(type.aliasSymbol);
      type.aliasTypeArguments?.forEach((argument) => this.visit(argument));
      return;
    }
    if (type.isUnionOrIntersection()) {
      for (const member of type.types) this.visit(member);
      return;
    }
    if (!(type.flags & ts.TypeFlags.Object)) return;
    const objectType = type as ts.ObjectType;
    if (objectType.objectFlags & ts.ObjectFlags.Reference) {
      checker.getTypeArguments(objectType as ts.TypeReference).forEach((argument) => this.visit(argument));
    }
    const symbol = type.getSymbol();
    if (symbol && symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface)) {
      if (!isGlobal(symbol)) this.declareInterface(symbol);
      return;
    }
    // An anonymous type: what its members use.
    for (const property of checker.getPropertiesOfType(type)) this.visit(checker.getTypeOfSymbol(property));
    for (const signature of [...type.getCallSignatures(), ...type.getConstructSignatures()]) {
      for (const parameter of signature.getParameters()) this.visit(checker.getTypeOfSymbol(parameter));
      this.visit(signature.getReturnType());
    }
  }

  private reserve(symbol: ts.Symbol): boolean {
    const existing = this.declared.get(symbol.name);
    if (existing?.symbol === symbol) return false;
    if (existing) {
      throw new Error(
        `Two types named ${symbol.name} are used by hub methods (${describe(existing.symbol)} and ${describe(symbol)}); rename one.`,
      );
    }
    this.declared.set(symbol.name, { symbol, text: '', documentation: '' });
    return true;
  }

  private declareInterface(symbol: ts.Symbol): void {
    if (!this.reserve(symbol)) return;
    const checker = this.checker;
    const declaredType = checker.getDeclaredTypeOfSymbol(symbol) as ts.InterfaceType;
    const isClass = (symbol.flags & ts.SymbolFlags.Class) !== 0;
    const members: string[] = [];
    for (const property of checker.getPropertiesOfType(declaredType)) {
      // A class instance reaches the client as its fields (JSON, MessagePack): no methods, accessors or hidden members.
      if (!(property.flags & ts.SymbolFlags.Property)) continue;
      const declaration = property.valueDeclaration ?? property.declarations?.[0];
      const modifiers = declaration ? ts.getCombinedModifierFlags(declaration) : ts.ModifierFlags.None;
      if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected | ts.ModifierFlags.Static)) continue;
      if (declaration && ts.isPrivateIdentifier((declaration as ts.NamedDeclaration).name as ts.Node)) continue;
      if (isClass && declaration && !isField(declaration)) continue;
      const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
      const annotation = declaration && typeAnnotation(declaration);
      const type = annotation ? checker.getTypeFromTypeNode(annotation) : checker.getTypeOfSymbol(property);
      const doc = documentation(property, checker, '  ');
      members.push(`${doc}  ${propertyName(property.name)}${optional ? '?' : ''}: ${this.write(type)};\n`);
    }
    const parameters = declaredType.typeParameters?.length
      ? `<${declaredType.typeParameters.map((parameter) => checker.typeToString(parameter)).join(', ')}>`
      : '';
    this.declared.set(symbol.name, {
      symbol,
      text: `interface ${symbol.name}${parameters} {\n${members.join('')}}`,
      documentation: documentation(symbol, checker, ''),
    });
  }

  private declareAlias(symbol: ts.Symbol): void {
    if (!this.reserve(symbol)) return;
    const checker = this.checker;
    const declaration = symbol.declarations?.find(ts.isTypeAliasDeclaration);
    if (!declaration) throw new Error(`Cannot read the type alias ${symbol.name}.`);
    const aliased = checker.getTypeFromTypeNode(declaration.type);
    this.visitStructure(aliased);
    const parameters = declaration.typeParameters?.length
      ? `<${declaration.typeParameters.map((parameter) => parameter.name.text).join(', ')}>`
      : '';
    const text = checker.typeToString(aliased, undefined, FORMAT | ts.TypeFormatFlags.InTypeAlias);
    this.declared.set(symbol.name, {
      symbol,
      text: `type ${symbol.name}${parameters} = ${text};`,
      documentation: documentation(symbol, checker, ''),
    });
  }

  /** Visits what an alias stands for, not the alias itself (which would name itself). */
  private visitStructure(type: ts.Type): void {
    if (type.isUnionOrIntersection()) type.types.forEach((member) => this.visit(member));
    else if (type.aliasSymbol) {
      const checker = this.checker;
      for (const property of checker.getPropertiesOfType(type)) this.visit(checker.getTypeOfSymbol(property));
      type.aliasTypeArguments?.forEach((argument) => this.visit(argument));
    } else this.visit(type);
  }

  private declareEnum(symbol: ts.Symbol): void {
    if (!this.reserve(symbol)) return;
    const declaration = symbol.declarations?.find(ts.isEnumDeclaration);
    if (!declaration) throw new Error(`Cannot read the enum ${symbol.name}.`);
    const members = declaration.members.map((member) => {
      const value = this.checker.getConstantValue(member);
      if (value === undefined)
        throw new Error(`Enum member ${symbol.name}.${member.name.getText()} has no constant value.`);
      return `  ${propertyName(member.name.getText())} = ${typeof value === 'string' ? quote(value) : value},\n`;
    });
    this.declared.set(symbol.name, {
      symbol,
      text: `enum ${symbol.name} {\n${members.join('')}}`,
      documentation: documentation(symbol, this.checker, ''),
    });
  }
}

/** Declared by the platform (lib.d.ts, `declare global`, script files): the client has it too. */
function isGlobal(symbol: ts.Symbol): boolean {
  return (symbol.declarations ?? []).every((declaration) => {
    for (let node: ts.Node | undefined = declaration.parent; node; node = node.parent) {
      if (ts.isModuleDeclaration(node) && node.flags & ts.NodeFlags.GlobalAugmentation) return true;
    }
    return !ts.isExternalModule(declaration.getSourceFile());
  });
}

/** The enum of an enum type or of one of its members. */
function enumOf(type: ts.Type, checker: ts.TypeChecker): ts.Symbol | undefined {
  if (!(type.flags & (ts.TypeFlags.EnumLike | ts.TypeFlags.Union))) return undefined;
  const symbol = type.getSymbol() ?? type.aliasSymbol;
  if (!symbol) return undefined;
  if (symbol.flags & ts.SymbolFlags.Enum) return symbol;
  const member = symbol.declarations?.find(ts.isEnumMember);
  return member ? checker.getSymbolAtLocation(member.parent.name) : undefined;
}

function isField(declaration: ts.Declaration): boolean {
  return ts.isPropertyDeclaration(declaration) || ts.isParameter(declaration);
}

function typeAnnotation(declaration: ts.Declaration): ts.TypeNode | undefined {
  return ts.isPropertyDeclaration(declaration) || ts.isPropertySignature(declaration) || ts.isParameter(declaration)
    ? declaration.type
    : undefined;
}

export function propertyName(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : quote(name);
}

export function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A parameter's type as declared: `x?: string` is `string`, not `string | undefined`. */
export function declaredParameterType(parameter: ts.ParameterDeclaration, checker: ts.TypeChecker): ts.Type {
  return parameter.type ? checker.getTypeFromTypeNode(parameter.type) : checker.getTypeAtLocation(parameter);
}

export function documentation(symbol: ts.Symbol, checker: ts.TypeChecker, indent: string): string {
  const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  if (!text) return '';
  const lines = text.split('\n');
  if (lines.length === 1) return `${indent}/** ${text} */\n`;
  return `${indent}/**\n${lines.map((line) => `${indent} * ${line}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

function describe(symbol: ts.Symbol): string {
  const file = symbol.declarations?.[0]?.getSourceFile().fileName ?? 'unknown file';
  return `${symbol.name} in ${file}`;
}
