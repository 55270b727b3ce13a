"""The grammar of Gradplay's expression language: this string is the documentation of the syntax."""

GRAMMAR = r"""
// A program is statements separated by newlines or ';'. Each one assigns a name once.
start: _SEP* (stmt (_SEP+ stmt)* _SEP*)?
stmt: NAME "=" expr

?expr: sum
?sum: product
    | sum PLUS product                -> add
    | sum MINUS product               -> sub
?product: unary
    | product TIMES unary             -> mul
    | product DIV unary               -> div
    | product AT unary                -> matmul
    | product implicit                -> mul      // 2(a − b), 2a, (a + b)(a − b)
?unary: power
    | MINUS unary                     -> neg      // -x**2 is -(x**2)
    | PLUS unary                      -> pos
?power: postfix
    | postfix POW unary               -> pow      // right-associative: 2**3**2 = 2**9
?postfix: atom
    | postfix SQUARED                 -> square   // x²
    | postfix CUBED                   -> cube     // x³
    | postfix TRANSPOSE               -> transpose // x.T
?atom: NUMBER                         -> number
    | operand

// What may follow a factor without an operator: a name, a call or a parenthesis, never a number.
?implicit: ipostfix
    | ipostfix POW unary              -> pow
?ipostfix: operand
    | ipostfix SQUARED                -> square
    | ipostfix CUBED                  -> cube
    | ipostfix TRANSPOSE              -> transpose
?operand: NAME                        -> var
    | CALLNAME "(" [expr ("," expr)*] ")" -> call
    | "(" expr ")"

CALLNAME.2: /[A-Za-zα-ωΑ-Ω][A-Za-z0-9_α-ωΑ-Ω]*(?=[ \t]*\()/
NAME: /[A-Za-zα-ωΑ-Ω][A-Za-z0-9_α-ωΑ-Ω]*/
NUMBER: /(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/
PLUS: "+"
MINUS: "-" | "−"
TIMES: "*" | "×" | "·"
DIV: "/" | "÷"
POW: "**" | "^"
AT: "@"
SQUARED: "²"
CUBED: "³"
TRANSPOSE: ".T"
_SEP: /(\r?\n|;)/
COMMENT: /#[^\n]*/

%ignore /[ \t\f]+/
%ignore COMMENT
"""
